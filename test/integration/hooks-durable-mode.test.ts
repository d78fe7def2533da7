import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import pino from 'pino';
import { createAuditLog, type AuditLog } from '../../plugins';
import { connectTestMongo, type TestMongo } from '../helpers/test-databases';

const walText = (root: string) =>
  readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.wal'))
    .map((name) => readFileSync(join(root, name), 'utf8'))
    .join('');

/** Durable mode seen from a host: its write resolves with the event on disk, or rejects. */
describe('the mongoose plugin in durable mode', () => {
  let db: TestMongo;
  let root: string;
  let auditLog: AuditLog | undefined;

  beforeEach(async () => {
    db = await connectTestMongo('hooks_durable');
    root = mkdtempSync(join(tmpdir(), 'audit-wal-hooks-'));
  });
  afterEach(async () => {
    await auditLog?.close({ timeoutMs: 5_000 }).catch(() => undefined);
    await db.drop();
    rmSync(root, { recursive: true, force: true });
  });

  const contactModel = (log: AuditLog, name: string) => db.connection.model(name, new mongoose.Schema({ name: String }).plugin(log.plugin));

  it('resolves a create only once its event is in the write-ahead log on disk', async () => {
    // A flush interval far beyond the test: the event cannot have reached MongoDB yet.
    auditLog = createAuditLog({ connection: db.connection, tenantId: 't1', logger: pino({ level: 'silent' }), durability: { directory: root }, recorder: { flushIntervalMs: 60_000, batchSize: 10_000 } });
    await auditLog.ready;
    const Contact = contactModel(auditLog, 'DurableContact');
    const contact = await Contact.create({ name: 'Ada Lovelace' });
    expect(walText(root)).toContain(String(contact._id));
    expect(await db.connection.collection('audit_events').countDocuments()).toBe(0);
  });

  it('rejects the host write, counted, when its event cannot be written to disk', async () => {
    auditLog = createAuditLog({ connection: db.connection, tenantId: 't1', logger: pino({ level: 'silent' }), durability: { directory: '/dev/null/audit-wal' } });
    await auditLog.ready.catch(() => undefined);
    const Contact = contactModel(auditLog, 'RefusedContact');
    await expect(Contact.create({ name: 'Grace Hopper' })).rejects.toThrow(/ENOTDIR|not a directory/);
    expect(auditLog.metrics().refusedWrites).toBe(1);
  });

  it('does not wait in buffered mode, and writes nothing to disk below the memory bound', async () => {
    auditLog = createAuditLog({ connection: db.connection, tenantId: 't1', logger: pino({ level: 'silent' }), durability: { mode: 'buffered', directory: root } });
    await auditLog.ready;
    const Contact = contactModel(auditLog, 'BufferedContact');
    await Contact.create({ name: 'Katherine Johnson' });
    expect(walText(root)).toBe('');
    await auditLog.flush();
    expect(await db.connection.collection('audit_events').countDocuments({ 'subject.type': 'buffered_contact' })).toBe(1);
  });
});
