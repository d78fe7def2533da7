import { Schema, type Model } from 'mongoose';
import pino from 'pino';
import { createAuditLog, type AuditLog } from '../../plugins';
import { auditContext } from '../../server/request-scope/audit-context';
import { storedEvents } from '../fixtures/stored-events';
import { connectTestMongo, type TestMongo } from '../helpers/test-databases';

/**
 * A loaded document's save is diffed against what the driver returned when it was loaded (kept by
 * reference, no copy), or, for a schema with Mixed paths, against a copy taken at load.
 */
const TENANT = 'tenant-save-diff';
const scope = { tenantId: TENANT, actor: { id: 'u1', name: 'Alice Admin', type: 'user' as const }, request: {} };
const asAlice = <T>(work: () => PromiseLike<T>): Promise<T> => auditContext.run(scope, async () => await work());

let db: TestMongo;
let auditLog: AuditLog;
let Tasks: Model<any>;
let Settings: Model<any>;

beforeAll(async () => {
  db = await connectTestMongo('hooks_save_diff');
  auditLog = createAuditLog({ connection: db.connection, logger: pino({ level: 'silent' }), recorder: { flushIntervalMs: 10 } });
  const task = new Schema({ name: String, dueAt: Date, stage: String, checklist: [{ label: String, done: Boolean }] }, { timestamps: true });
  task.plugin(auditLog.plugin, { subjectType: 'task' });
  Tasks = db.connection.model('Task', task) as unknown as Model<any>;
  const setting = new Schema({ name: String, values: Schema.Types.Mixed });
  setting.plugin(auditLog.plugin, { subjectType: 'setting' });
  Settings = db.connection.model('Setting', setting) as unknown as Model<any>;
});

afterAll(async () => {
  await auditLog.close();
  await db.drop();
});

async function updatesOf(id: string) {
  await auditLog.flush();
  return (await storedEvents(db.connection, { tenantId: TENANT, 'subject.id': id, action: 'record.updated' })).map((event) => event.changes);
}

describe('diffing the save of a loaded document', () => {
  it('diffs a second save of the same document against what the first one wrote', async () => {
    const { id } = await asAlice(() => Tasks.create({ name: 'Twice', stage: 'todo' }));
    await asAlice(async () => {
      const task = await Tasks.findById(id).orFail();
      task.stage = 'doing';
      await task.save();
      task.stage = 'done';
      task.checklist.push({ label: 'Ship', done: true });
      await task.save();
    });
    expect(await updatesOf(id)).toEqual([
      [{ field: 'stage', before: 'todo', after: 'doing' }],
      [{ field: 'stage', before: 'doing', after: 'done' }, { field: 'checklist', before: [], after: [{ _id: expect.any(String), label: 'Ship', done: true }] }],
    ]);
  });

  it('records nothing for a save that changes nothing', async () => {
    const { id } = await asAlice(() => Tasks.create({ name: 'Untouched', stage: 'todo' }));
    await asAlice(async () => {
      const task = await Tasks.findById(id).orFail();
      task.set({ name: 'Untouched', stage: 'todo' });
      await task.save();
    });
    expect(await updatesOf(id)).toEqual([]);
  });

  it('records a Date changed in place with its new value only (the old one was changed in the loaded object too)', async () => {
    const { id } = await asAlice(() => Tasks.create({ name: 'Moved', dueAt: new Date('2026-06-01T09:00:00Z') }));
    await asAlice(async () => {
      const task = await Tasks.findById(id).orFail();
      task.dueAt.setUTCDate(2);
      task.markModified('dueAt');
      await task.save();
    });
    expect(await updatesOf(id)).toEqual([[{ field: 'dueAt', after: '2026-06-02T09:00:00.000Z' }]]);
  });

  it('records the before-value of a Mixed field changed in place', async () => {
    const { id } = await asAlice(() => Settings.create({ name: 'Locale', values: { language: 'en' } }));
    await asAlice(async () => {
      const setting = await Settings.findById(id).orFail();
      setting.values.language = 'fr';
      setting.markModified('values');
      await setting.save();
    });
    expect(await updatesOf(id)).toEqual([[{ field: 'values.language', before: 'en', after: 'fr' }]]);
  });
});
