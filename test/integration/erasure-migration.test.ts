import { execFile } from 'node:child_process';
import { BSON } from 'mongodb';
import pino from 'pino';
import { createAuditLog, type AuditLog } from '../../plugins';
import { fromEventDocument } from '../../server/events/event.document';
import { AUDIT_EVENTS_COLLECTION } from '../../server/events/event.model';
import type { TAuditEvent } from '../../server/events/event.schema';
import { hashedPartBytes } from '../../server/events/stored-form';
import { auditContext } from '../../server/request-scope/audit-context';
import { connectTestMongo, connectTestRedis, testMongoUri, type TestMongo, type TestRedis } from '../helpers/test-databases';
import { toV1Document } from '../helpers/legacy-events';
import { makeEvent } from '../helpers/test-events';

const { EJSON } = BSON;
const SECRET = 'erasure-migration test secret, 32+ characters long';
const TENANT = 'tenant-migrate';
const EMAIL = 'Nora.Nobody@private.test';
const PERSON = ['nora.nobody@private.test', 'nora nobody'];
const holdsPerson = (value: unknown) => PERSON.some((text) => EJSON.stringify(value).toLowerCase().includes(text));

const at = (minute: number) => new Date(Date.UTC(2025, 5, 1, 9, minute));
const nora = { type: 'contact', id: 'c-nora', name: 'Nora Nobody' };
const alice = { id: 'u-alice', type: 'user' as const, name: 'Alice Admin', email: 'alice@acme.test' };
const max = { id: 'u-max', type: 'user' as const, name: 'Max Member', email: 'max@acme.test' };

/** An installation's history in form v1: events about Nora, about others, one an earlier (0.2) erasure already marked. */
function historyV1(): TAuditEvent[] {
  const events: TAuditEvent[] = [
    makeEvent({ tenantId: TENANT, occurredAt: at(0), actor: alice, action: 'record.created', subject: nora, description: 'Created contact Nora Nobody', changes: [{ field: 'email', after: EMAIL }] }),
    makeEvent({ tenantId: TENANT, occurredAt: at(1), actor: max, action: 'record.updated', subject: nora, description: 'Max Member updated contact Nora Nobody', changes: [{ field: 'phone', before: '+33 1', after: '+33 2' }], editCount: 1 }),
    makeEvent({
      tenantId: TENANT,
      occurredAt: at(2),
      actor: { id: `unknown:${EMAIL}`, type: 'user', name: EMAIL },
      action: 'user.login_failed',
      status: 'failure',
      failureReason: 'wrong password',
      description: `Failed sign-in as ${EMAIL}`,
      metadata: { attemptedIdentity: EMAIL },
    }),
    makeEvent({ tenantId: TENANT, occurredAt: at(3), actor: alice, action: 'record.created', subject: { type: 'contact', id: 'c-max', name: 'Max' }, description: 'Created contact Max' }),
    makeEvent({ tenantId: TENANT, occurredAt: at(4), actor: alice, action: 'record.updated', subject: { type: 'contact', id: 'c-old', name: '[erased]' }, description: 'Updated contact [erased]', changes: [{ field: 'name', before: '[erased]', after: 'Someone' }] }),
  ];
  // Past one batch (MIGRATION_BATCH_SIZE, 500): the second page reads on from the first by _id.
  for (let n = 0; n < 520; n++) {
    events.push(makeEvent({ tenantId: TENANT, occurredAt: at(10 + (n % 40)), actor: max, action: 'record.updated', subject: { type: 'deal', id: `deal-${n}`, name: `Deal ${n}` }, description: `Updated deal Deal ${n}` }));
  }
  return events;
}

let mongo: TestMongo;
let redis: TestRedis;

beforeAll(async () => {
  mongo = await connectTestMongo('erase_migrate');
  redis = await connectTestRedis('erase_migrate');
});
afterAll(async () => {
  await mongo?.drop();
  await redis?.cleanup();
});

/** `crm-audit-log migrate`, run as an operator runs it before a deploy. */
function migrate(): Promise<{ code: number; stdout: string; stderr: string }> {
  const uri = new URL(testMongoUri());
  uri.pathname = `/${mongo.dbName}`;
  const env = {
    PATH: process.env.PATH!,
    MONGODB_URI: uri.toString(),
    AUDIT_LOG_SECRET: SECRET,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: redis.prefix.replace(/[^A-Za-z0-9:_-]/g, '_').slice(0, 64),
    AUDIT_DURABILITY: 'memory',
    LOG_LEVEL: 'silent',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--require', require.resolve('../helpers/swc-register.js'), require.resolve('../../workers/cli.ts'), 'migrate'], { env, timeout: 180_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const rawDocuments = () => mongo.connection.collection(AUDIT_EVENTS_COLLECTION).find({ tenantId: TENANT }).sort({ _id: 1 }).toArray();
const withoutPseudonym = (event: TAuditEvent) => ({ ...event, actor: { ...event.actor, id: event.actor.id.startsWith('unknown:') ? 'unknown:*' : event.actor.id } });

describe('crm-audit-log migrate on an installation with events in form v1', () => {
  const history = historyV1();
  let audit: AuditLog | undefined;
  afterAll(() => audit?.close());

  it('converts every event to form v2, reads back as before, and a second run changes nothing; then erasure works on them', async () => {
    await mongo.connection.collection(AUDIT_EVENTS_COLLECTION).insertMany(history.map(toV1Document));
    const readBefore = (await rawDocuments()).map((document) => withoutPseudonym(fromEventDocument(document as never)));

    const first = await migrate();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ migrated: history.length, skipped: 0, failed: [], pending: 0 });
    const migrated = await rawDocuments();
    expect(migrated.filter((document) => document.v !== 2)).toEqual([]);
    expect(migrated.map((document) => withoutPseudonym(fromEventDocument(document as never)))).toEqual(readBefore);
    // The hashed part holds commitments, not her values; the marker an earlier erasure left stays text.
    for (const document of migrated) expect(holdsPerson(JSON.parse(hashedPartBytes(document as never).toString('utf8')))).toBe(false);
    expect(fromEventDocument(migrated.find((document) => document.subject?.id === 'c-old') as never)).toMatchObject({ subject: { name: '[erased]' }, changes: [{ field: 'name', before: '[erased]', after: 'Someone' }] });

    const second = await migrate();
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({ migrated: 0, skipped: 0, failed: [], pending: 0 });
    expect(EJSON.stringify(await rawDocuments())).toBe(EJSON.stringify(migrated));

    audit = createAuditLog({ connection: mongo.connection, secret: SECRET, logger: pino({ level: 'silent' }), durability: { mode: 'memory' } });
    await audit.ready;
    const hashedBefore = migrated.map((document) => hashedPartBytes(document as never).toString('hex'));
    const erasure = await auditContext.runAsSystem(TENANT, () => audit!.events.dataErased({ tenantId: TENANT, subject: { type: 'contact', id: 'c-nora' }, erasedFields: ['name', 'email'], identities: [EMAIL] }));
    expect(erasure.events).toBe(3);
    await audit.flush();

    const erased = (await rawDocuments()).filter((document) => document.action !== 'data.erased');
    expect(erased.filter(holdsPerson)).toEqual([]);
    expect(erased.map((document) => hashedPartBytes(document as never).toString('hex'))).toEqual(hashedBefore);
    const read = erased.map((document) => fromEventDocument(document as never));
    // Who did what when stays; Max Member and the contact "Max" keep their names.
    expect(read.find((event) => event.subject?.id === 'c-nora' && event.action === 'record.updated')).toMatchObject({ actor: { id: 'u-max', name: 'Max Member', email: 'max@acme.test' }, subject: { name: '[erased]' }, occurredAt: at(1) });
    expect(read.find((event) => event.subject?.id === 'c-max')).toMatchObject({ subject: { name: 'Max' } });
    expect(read.filter((event) => JSON.stringify(event).includes('Max Member')).length).toBeGreaterThan(520);
  }, 300_000);
});
