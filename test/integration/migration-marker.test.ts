import pino from 'pino';
import { createAuditLog, type AuditLog } from '../../plugins';
import { hostDatabase } from '../../server/db/host-database';
import { toEventDocument } from '../../server/events/event.document';
import { createEventMigration, MIGRATIONS_COLLECTION } from '../../server/events/event-migration.repository';
import { AUDIT_EVENTS_COLLECTION } from '../../server/events/event.model';
import { auditContext } from '../../server/request-scope/audit-context';
import { connectTestMongo, type TestMongo } from '../helpers/test-databases';
import { toV1Document } from '../helpers/legacy-events';
import { makeEvent } from '../helpers/test-events';

const TENANT = 'tenant-marker';
const EMAIL = 'olga.old@private.test';
const at = (minute: number) => new Date(Date.UTC(2025, 6, 1, 9, minute));
const olgaCreated = () =>
  makeEvent({ tenantId: TENANT, occurredAt: at(5), action: 'record.created', subject: { type: 'contact', id: 'c-olga', name: 'Olga Old' }, description: 'Created contact Olga Old', changes: [{ field: 'email', after: EMAIL }] });

let mongo: TestMongo;
let audit: AuditLog | undefined;

beforeEach(async () => {
  mongo = await connectTestMongo('migration_marker');
});
afterEach(async () => {
  await audit?.close();
  audit = undefined;
  await mongo.drop();
});

const events = () => mongo.connection.collection(AUDIT_EVENTS_COLLECTION);
const migrationOf = () => {
  const db = hostDatabase(mongo.connection);
  return createEventMigration(db, (event) => toEventDocument(event, db.objectId));
};

describe('the stored-form migration marker', () => {
  it('is written by a pass that converted everything, and a start then reads it instead of scanning', async () => {
    await events().insertMany([0, 1, 2].map((minute) => toV1Document(makeEvent({ tenantId: TENANT, occurredAt: at(minute) }))));
    const first = migrationOf();
    expect(await first.migrateAtStart()).toMatchObject({ migrated: 3, failed: [] });
    expect(await mongo.connection.collection(MIGRATIONS_COLLECTION).countDocuments({})).toBe(1);

    // An old-version process in a rolling deploy writes form v1 after the marker: a start leaves it as it is…
    await events().insertOne(toV1Document(makeEvent({ tenantId: TENANT, occurredAt: at(3) })));
    const next = migrationOf();
    expect(await next.migrateAtStart()).toEqual({ migrated: 0, skipped: 0, failed: [] });
    expect(await next.pending()).toBe(1);
    // …and a full pass (crm-audit-log migrate, every erasure) converts it, whatever the marker says.
    expect(await next.migrate()).toMatchObject({ migrated: 1, failed: [] });
    expect(await next.pending()).toBe(0);
  });

  it('is not written while an event could not be converted, so the next start tries again', async () => {
    await events().insertOne({ ...toV1Document(makeEvent({ tenantId: TENANT, occurredAt: at(0) })), occurredAt: 'not a date' });
    const migration = migrationOf();
    expect((await migration.migrateAtStart()).failed).toHaveLength(1);
    expect(await mongo.connection.collection(MIGRATIONS_COLLECTION).countDocuments({})).toBe(0);
  });

  it('lets an erasure convert and erase the v1 events an old-version process wrote after it', async () => {
    audit = createAuditLog({ connection: mongo.connection, secret: 'migration-marker test secret, 32+ characters', logger: pino({ level: 'silent' }), durability: { mode: 'memory' } });
    await audit.ready;
    await audit.flush();
    const migration = migrationOf();
    // The start found nothing to convert (an empty log) and left the marker.
    for (let tries = 0; tries < 50 && (await mongo.connection.collection(MIGRATIONS_COLLECTION).countDocuments({})) === 0; tries++) await new Promise((done) => setTimeout(done, 100));
    expect(await mongo.connection.collection(MIGRATIONS_COLLECTION).countDocuments({})).toBe(1);

    await events().insertOne(toV1Document(olgaCreated()));
    const erasure = await auditContext.runAsSystem(TENANT, () => audit!.events.dataErased({ tenantId: TENANT, subject: { type: 'contact', id: 'c-olga' }, erasedFields: ['name', 'email'], identities: [EMAIL] }));
    expect(erasure.events).toBe(1);
    expect(await migration.pending()).toBe(0);
    const stored = await events().findOne({ 'subject.id': 'c-olga' });
    expect(stored?.v).toBe(2);
    expect(JSON.stringify(stored).toLowerCase()).not.toMatch(/olga old|olga\.old@/);
  });
});
