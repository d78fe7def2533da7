import { BSON } from 'mongodb';
import { AUDIT_EVENTS_COLLECTION } from '../../server/events/event.model';
import { EXPORTS_COLLECTION } from '../../server/exports/export.model';
import { runAsSystem } from '../../plugins';
import { EXPORT_FILES_BUCKET } from '../../server/exports/export-storage';
import { ERASURE_REMOVAL_MESSAGE } from '../../server/exports/export-erasure';
import { startTestCrm, type CrmClient, type TestCrm } from '../fixtures/crm-harness';

/** The demo CRM with Redis and an export worker: erasure and the export files made before it, through the public API. */
let crm: TestCrm;
let gina: CrmClient;
let worker: Awaited<ReturnType<TestCrm['auditLog']['startWorker']>>;

beforeAll(async () => {
  crm = await startTestCrm('erase_exports', { redis: true });
  worker = await crm.auditLog.startWorker();
  gina = await crm.signIn('globex', 'gina@globex.test');
}, 120_000);
afterAll(() => crm?.stop());

type ExportView = Awaited<ReturnType<CrmClient['auditLog']['exports']['byId']['query']>>;

async function finishedExport(format: 'csv' | 'xlsx', filters: { search?: string } = {}): Promise<ExportView> {
  await crm.auditLog.flush();
  const { id } = await gina.auditLog.exports.create.mutate({ format, filters });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const view = await gina.auditLog.exports.byId.query({ id });
    if (view.status === 'completed' && view.file) return view;
    if (['failed', 'cancelled'].includes(view.status) || Date.now() > deadline) throw new Error(`export ${id} is ${view.status}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

/** The stored bytes of an export's file (GridFS chunks, in order), as text; '' once removed. */
async function fileText(exportId: string): Promise<string> {
  const database = crm.connection.db!;
  const files = await database.collection(`${EXPORT_FILES_BUCKET}.files`).find({ 'metadata.exportId': exportId }).toArray();
  let text = '';
  for (const file of files) {
    const chunks = await database.collection(`${EXPORT_FILES_BUCKET}.chunks`).find({ files_id: file._id }).sort({ n: 1 }).toArray();
    text += Buffer.concat(chunks.map((chunk) => Buffer.from(chunk.data.buffer))).toString('utf8');
  }
  return text;
}

describe('erasing a person who is in export files made before', () => {
  it('removes every file that held her values, says why, and a new export holds none of them', async () => {
    const email = 'paula.private@private.test';
    const contact = await gina.contacts.create.mutate({ name: 'Paula Private', email });
    const contactId = String(contact._id);
    await gina.contacts.update.mutate({ id: contactId, patch: { phone: '+49 30 7654321' } });
    const csv = await finishedExport('csv');
    const second = await finishedExport('csv');
    for (const made of [csv, second]) expect((await fileText(made.id)).toLowerCase()).toContain('paula private');

    const erasure = await gina.privacy.eraseContact.mutate({ contactId });
    expect(erasure.relatedEventsPseudonymised).toBeGreaterThanOrEqual(2);

    for (const made of [csv, second]) {
      expect(await fileText(made.id)).toBe('');
      const view = await gina.auditLog.exports.byId.query({ id: made.id });
      expect(view.file).toBeUndefined();
      expect(view.removed).toMatchObject({ reason: 'erasure', message: ERASURE_REMOVAL_MESSAGE });
    }
    const [recorded] = await crm.events({ tenantId: 'globex', action: 'data.erased', 'subject.id': contactId });
    expect(recorded?.metadata).toMatchObject({ exportsRemoved: expect.any(Number) });
    expect((recorded?.metadata as { exportsRemoved: number }).exportsRemoved).toBeGreaterThanOrEqual(2);

    const after = await finishedExport('csv');
    const text = (await fileText(after.id)).toLowerCase();
    expect(text).toContain('[erased]');
    expect(text).not.toContain('paula');
    expect(text).not.toContain(email);
  }, 300_000);

  it('leaves her address in no search recorded before, nor in any export record; an erased requester keeps only her id', async () => {
    const email = 'quinn.quiet@private.test';
    const contact = await gina.contacts.create.mutate({ name: 'Quinn Quiet', email });
    const contactId = String(contact._id);
    // The admin looks her up: the search is recorded, and an export of it keeps the search text.
    await gina.auditLog.events.list.query({ search: email });
    const searched = await finishedExport('csv', { search: email });
    expect(searched.filters.search).toBe(email);
    const storedText = async (collection: string) => {
      await crm.auditLog.flush();
      return BSON.EJSON.stringify(await crm.connection.collection(collection).find({ tenantId: 'globex' }).toArray()).toLowerCase();
    };
    expect(await storedText(AUDIT_EVENTS_COLLECTION)).toContain(email);
    expect(await storedText(EXPORTS_COLLECTION)).toContain(email);

    await gina.privacy.eraseContact.mutate({ contactId });

    expect(await storedText(AUDIT_EVENTS_COLLECTION)).not.toContain(email);
    expect(await storedText(EXPORTS_COLLECTION)).not.toContain(email);
    const [search] = (await crm.events({ tenantId: 'globex', action: 'audit_log.viewed' })).filter((event) => JSON.stringify(event.metadata).includes('[erased]'));
    expect(search).toMatchObject({ actor: { name: 'Gina Globex' }, description: 'Searched the audit log', metadata: { filters: '[erased]' } });
    expect((await gina.auditLog.exports.byId.query({ id: searched.id })).filters.search).toBe('[erased]');

    // Then the admin herself is erased: her exports stay hers (by id), without her name or e-mail.
    const [login] = await crm.events({ tenantId: 'globex', action: 'user.login', 'actor.email': 'gina@globex.test' });
    const ginaId = login!.actor.id;
    const mine = await gina.auditLog.exports.list.query({});
    expect(mine.length).toBeGreaterThanOrEqual(3);
    expect(mine.every((view) => view.requestedBy.name === 'Gina Globex')).toBe(true);
    await runAsSystem('globex', () => crm.auditLog.events.dataErased({ tenantId: 'globex', subject: { type: 'user', id: ginaId }, erasedFields: ['name', 'email'], identities: ['gina@globex.test'] }), { name: 'Privacy request' });
    const exportsText = await storedText(EXPORTS_COLLECTION);
    expect(exportsText).not.toContain('gina@globex.test');
    expect(exportsText).not.toContain('gina globex');
    const after = await gina.auditLog.exports.list.query({});
    expect(after.map((view) => view.id)).toEqual(mine.map((view) => view.id));
    for (const view of after) expect(view.requestedBy).toEqual({ id: ginaId, name: '[erased]' });
  }, 300_000);

  it('cancels an export still queued whose search names her, and the worker never writes it', async () => {
    const email = 'rhea.waiting@private.test';
    const contact = await gina.contacts.create.mutate({ name: 'Rhea Waiting', email });
    await crm.auditLog.flush();
    await worker.pause(); // waits for the running job, if any: the next export stays queued
    try {
      const { id } = await gina.auditLog.exports.create.mutate({ format: 'csv', filters: { search: email } });
      expect((await gina.auditLog.exports.byId.query({ id })).status).toBe('queued');

      await gina.privacy.eraseContact.mutate({ contactId: String(contact._id) });

      const cancelled = await gina.auditLog.exports.byId.query({ id });
      expect(cancelled).toMatchObject({ status: 'cancelled', filters: { search: '[erased]' } });
      worker.resume();
      // A later export runs to the end, so the worker has had its turn at the queue.
      await finishedExport('csv');
      const after = await gina.auditLog.exports.byId.query({ id });
      expect(after.status).toBe('cancelled');
      expect(after.file).toBeUndefined();
      expect(await fileText(id)).toBe('');
    } finally {
      if (worker.isPaused()) worker.resume();
    }
  }, 300_000);
});
