import { EXPORT_FILES_BUCKET } from '../../server/exports/export-storage';
import { ERASURE_REMOVAL_MESSAGE } from '../../server/exports/export-erasure';
import { startTestCrm, type CrmClient, type TestCrm } from '../fixtures/crm-harness';

/** The demo CRM with Redis and an export worker: erasure and the export files made before it, through the public API. */
let crm: TestCrm;
let gina: CrmClient;

beforeAll(async () => {
  crm = await startTestCrm('erase_exports', { redis: true });
  await crm.auditLog.startWorker();
  gina = await crm.signIn('globex', 'gina@globex.test');
}, 120_000);
afterAll(() => crm?.stop());

type ExportView = Awaited<ReturnType<CrmClient['auditLog']['exports']['byId']['query']>>;

async function finishedExport(format: 'csv' | 'xlsx'): Promise<ExportView> {
  await crm.auditLog.flush();
  const { id } = await gina.auditLog.exports.create.mutate({ format });
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
});
