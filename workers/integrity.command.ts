import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import pino from 'pino';
import { integritySettingsFrom, loadConfigOrExit } from '../server/config';
import { hostDatabase } from '../server/db/host-database';
import { createEventSealsRepository } from '../server/events';
import { createIntegrity, generateSigningKey, parseSignerKey, publicKeyFrom, verifierKeyText } from '../server/integrity';
import { databaseNameOf } from '../server/runtime';

type Env = Record<string, string | undefined>;
const write = (text: string) => process.stdout.write(`${text}\n`);

/**
 * `crm-audit-log keys`: the public keys checkpoints are checked with (the signing key's own, from
 * AUDIT_INTEGRITY_SIGNING_KEY[_FILE], and AUDIT_INTEGRITY_PUBLIC_KEYS), one JSON object per line;
 * `keys --generate <name>` prints a new key pair (keep the signer key out of the database).
 */
export async function keysCommand(argv: string[], env: Env = process.env): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { generate: { type: 'string' } } });
  if (values.generate !== undefined) {
    write(JSON.stringify(generateSigningKey(values.generate)));
    return;
  }
  const settings = integritySettingsFrom(loadConfigOrExit(env));
  const own = settings.signingKey ? [{ verifierKey: verifierKeyText(parseSignerKey(settings.signingKey)) }] : [];
  const keys = [...(settings.publicKeys ?? []), ...own].map(publicKeyFrom);
  const seen = new Set<string>();
  for (const { keyId, verifierKey, algorithm, validFrom, validUntil } of keys) {
    if (seen.has(keyId)) continue;
    seen.add(keyId);
    write(JSON.stringify({ keyId, verifierKey, algorithm, validFrom, validUntil }));
  }
  if (keys.length === 0) {
    process.stderr.write('no keys: set AUDIT_INTEGRITY_SIGNING_KEY(_FILE) or AUDIT_INTEGRITY_PUBLIC_KEYS\n');
    process.exitCode = 1;
  }
}

/**
 * `crm-audit-log verify <mode> …`: one line per mode here, so modes can be added side by side.
 * Prints the report as JSON; exit code 0 when it verifies, 1 when it does not, 2 on wrong usage.
 */
const VERIFY_MODES: Record<string, (argv: string[], env: Env) => Promise<boolean>> = {
  '--database': verifyDatabase,
};

export async function verifyCommand(argv: string[], env: Env = process.env): Promise<void> {
  const mode = Object.hasOwn(VERIFY_MODES, argv[0] ?? '') ? VERIFY_MODES[argv[0]!] : undefined;
  if (!mode) {
    process.stderr.write(`Usage: crm-audit-log verify ${Object.keys(VERIFY_MODES).join(' | ')} …\n  --database --tenant <id> [--from <position>] [--to <position>] [--checkpoint <file with a kept checkpoint>]\n`);
    process.exitCode = 2;
    return;
  }
  process.exitCode = (await mode(argv.slice(1), env)) ? 0 : 1;
}

/** The live database, checked with the public keys alone (MONGODB_URI, AUDIT_INTEGRITY_PUBLIC_KEYS or the signing key). */
async function verifyDatabase(argv: string[], env: Env): Promise<boolean> {
  const { values } = parseArgs({ args: argv, options: { tenant: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, checkpoint: { type: 'string' } } });
  const config = loadConfigOrExit(env);
  if (!values.tenant || !config.MONGODB_URI) {
    process.stderr.write('verify --database needs --tenant <id> and MONGODB_URI\n');
    return false;
  }
  const settings = integritySettingsFrom(config);
  const connection = await mongoose.createConnection(config.MONGODB_URI, { dbName: databaseNameOf(config.MONGODB_URI), serverSelectionTimeoutMS: 15_000 }).asPromise();
  try {
    const db = hostDatabase(connection);
    const integrity = createIntegrity({ db, events: createEventSealsRepository(db), logger: pino({ level: 'silent' }), settings: { ...settings, seal: false } });
    const position = (text: string | undefined) => (text === undefined ? undefined : Number(text));
    const report = await integrity.verify(values.tenant, {
      from: position(values.from),
      to: position(values.to),
      trustedCheckpoint: values.checkpoint === undefined ? undefined : readFileSync(values.checkpoint, 'utf8'),
    });
    write(JSON.stringify(report, null, 2));
    return report.ok;
  } finally {
    await connection.close();
  }
}
