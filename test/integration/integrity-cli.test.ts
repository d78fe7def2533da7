import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectId } from 'mongodb';
import { parseVerifierKey } from '../../server/integrity';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { testMongoUri } from '../helpers/test-databases';
import { makeEvent } from '../helpers/test-events';

/** The bin's integrity commands, run as a user runs them: `keys` and `verify --database`. */
let stack: AuditStack;
let key: { signerKey: string; verifierKey: string };

function bin(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--require', require.resolve('../helpers/swc-register.js'), require.resolve('../../workers/cli.ts'), ...args], { env: { PATH: process.env.PATH!, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  const generated = await bin(['keys', '--generate', 'cli-test-2026']);
  expect(generated.code).toBe(0);
  key = JSON.parse(generated.stdout) as typeof key;
  stack = await startAuditStack('integrity-cli', { integrity: { signingKey: key.signerKey, seal: false } });
}, 180_000);
afterAll(async () => stack?.close());

it('generates a key pair whose verifier key parses, and prints the public key from the signing key', async () => {
  expect(parseVerifierKey(key.verifierKey).name).toBe('cli-test-2026');
  const printed = await bin(['keys'], { AUDIT_INTEGRITY_SIGNING_KEY: key.signerKey });
  expect(printed.code).toBe(0);
  expect(JSON.parse(printed.stdout.trim())).toMatchObject({ verifierKey: key.verifierKey, algorithm: 'ed25519', keyId: parseVerifierKey(key.verifierKey).keyId });
}, 180_000);

it('verifies the live database with the public key alone, and fails with exit code 1 once an event is edited', async () => {
  const events = Array.from({ length: 12 }, (_, i) => makeEvent({ tenantId: 'cli-tenant', occurredAt: new Date(Date.UTC(2026, 10, 1, 0, 0, i)) }));
  await stack.seed(events);
  const kept = (await stack.services.integrity.sealer.checkpointNow('cli-tenant'))!;
  const checkpointFile = join(tmpdir(), `kept-checkpoint-${Date.now()}.txt`);
  writeFileSync(checkpointFile, kept.note);
  const uri = new URL(testMongoUri());
  uri.pathname = `/${stack.mongo.dbName}`;
  const env = { MONGODB_URI: uri.toString(), AUDIT_INTEGRITY_PUBLIC_KEYS: JSON.stringify([{ verifierKey: key.verifierKey }]) };

  const green = await bin(['verify', '--database', '--tenant', 'cli-tenant', '--checkpoint', checkpointFile], env);
  expect(green.code).toBe(0);
  expect(JSON.parse(green.stdout)).toMatchObject({ ok: true, eventsChecked: 12 });

  await stack.events.updateOne({ _id: new ObjectId(events[3]!.id) }, { $set: { description: 'edited' } });
  const red = await bin(['verify', '--database', '--tenant', 'cli-tenant'], env);
  expect(red.code).toBe(1);
  expect(JSON.parse(red.stdout)).toMatchObject({ ok: false, failure: { kind: 'changed', eventId: events[3]!.id, position: 3 } });
}, 300_000);
