import { startTestCrm, USER_AGENTS, type CrmClient, type TestCrm } from '../fixtures/crm-harness';

let crm: TestCrm;
let alice: CrmClient;

beforeAll(async () => {
  crm = await startTestCrm('crm_records');
  alice = await crm.signIn('acme', 'alice@acme.test', { ip: '203.0.113.10', userAgent: USER_AGENTS.desktopChrome });
});

afterAll(() => crm.stop());

/** What every event of Alice's requests carries. */
const byAlice = () => ({
  tenantId: 'acme',
  actor: { name: 'Alice Admin', email: 'alice@acme.test', role: 'admin', type: 'user' },
  status: 'success',
  context: { ip: '203.0.113.10', sessionId: crm.sessionIdOf(alice), deviceType: 'desktop', browser: 'Chrome 126', os: 'Windows 10' },
});

describe('record changes in the demo CRM, driven over HTTP', () => {
  it('records a created contact with its fields', async () => {
    const contact = await alice.contacts.create.mutate({ name: 'Nina Create', email: 'nina@example.test' });
    const [created] = await crm.events({ 'subject.id': String(contact._id) });
    expect(created).toMatchObject({ ...byAlice(), action: 'record.created', subject: { type: 'contact', name: 'Nina Create' }, description: 'Created contact "Nina Create"' });
    expect(created?.changes).toEqual(expect.arrayContaining([{ field: 'name', after: 'Nina Create' }, { field: 'email', after: 'nina@example.test' }]));
  });

  it('records an updated contact with before, after and the number of edits', async () => {
    const contact = await alice.contacts.create.mutate({ name: 'Otto Update', email: 'otto@old.test', status: 'lead' });
    await alice.contacts.update.mutate({ id: String(contact._id), patch: { email: 'otto@new.test', status: 'customer' } });
    const [, updated] = await crm.events({ 'subject.id': String(contact._id) });
    expect(updated).toMatchObject({
      ...byAlice(),
      action: 'record.updated',
      subject: { type: 'contact', id: String(contact._id), name: 'Otto Update' },
      description: 'Updated contact "Otto Update": email, status',
      editCount: 2,
      changes: [
        { field: 'email', before: 'otto@old.test', after: 'otto@new.test' },
        { field: 'status', before: 'lead', after: 'customer' },
      ],
    });
  });

  it('records a viewed contact', async () => {
    const contact = await alice.contacts.create.mutate({ name: 'Vera View' });
    await alice.contacts.get.query({ id: String(contact._id) });
    const [viewed] = await crm.events({ 'subject.id': String(contact._id), action: 'record.viewed' });
    expect(viewed).toMatchObject({ ...byAlice(), subject: { type: 'contact', name: 'Vera View' }, description: 'Viewed contact "Vera View"', changes: [] });
  });

  it('records removing a contact as a soft delete', async () => {
    const contact = await alice.contacts.create.mutate({ name: 'Sid Soft' });
    await alice.contacts.remove.mutate({ id: String(contact._id) });
    const [deleted] = await crm.events({ 'subject.id': String(contact._id), action: 'record.deleted' });
    expect(deleted).toMatchObject({ ...byAlice(), description: 'Deleted contact "Sid Soft" (soft delete)', metadata: { soft: true }, changes: [{ field: 'removed', before: false, after: true }] });
  });

  it('records a tag pushed onto a contact with the list before and after', async () => {
    const contact = await alice.contacts.create.mutate({ name: 'Tom Tag', tags: ['vip'] });
    await alice.contacts.addTag.mutate({ id: String(contact._id), tag: 'renewal' });
    const [, updated] = await crm.events({ 'subject.id': String(contact._id) });
    expect(updated).toMatchObject({ ...byAlice(), action: 'record.updated', changes: [{ field: 'tags', before: ['vip'], after: ['vip', 'renewal'] }] });
  });

  it('records a company renamed with findOneAndUpdate and deleted with findOneAndDelete', async () => {
    const company = await alice.companies.create.mutate({ name: 'Wayne Ltd' });
    await alice.companies.update.mutate({ id: String(company._id), patch: { name: 'Wayne Enterprises' } });
    await alice.companies.remove.mutate({ id: String(company._id) });
    const [, renamed, deleted] = await crm.events({ 'subject.id': String(company._id) });
    expect(renamed).toMatchObject({ ...byAlice(), action: 'record.updated', subject: { name: 'Wayne Enterprises' }, changes: [{ field: 'name', before: 'Wayne Ltd', after: 'Wayne Enterprises' }] });
    expect(deleted).toMatchObject({ ...byAlice(), action: 'record.deleted', description: 'Deleted company "Wayne Enterprises"', metadata: { soft: false } });
  });

  it('records line items added and removed on an opportunity', async () => {
    const opportunity = await alice.opportunities.create.mutate({ name: 'Big deal' });
    const withItem = await alice.opportunities.addLineItem.mutate({ id: String(opportunity._id), item: { product: 'Seat', quantity: 3, unitPrice: 50 } });
    await alice.opportunities.removeLineItem.mutate({ id: String(opportunity._id), lineItemId: String(withItem.lineItems[0]!._id) });
    const [, added, removed] = await crm.events({ 'subject.id': String(opportunity._id) });
    expect(added).toMatchObject({ ...byAlice(), action: 'record.updated', description: 'Updated opportunity "Big deal": lineItems', changes: [{ field: 'lineItems', before: [] }] });
    expect(added?.changes[0]?.after).toEqual([expect.objectContaining({ product: 'Seat', quantity: 3, unitPrice: 50 })]);
    expect(removed?.changes[0]).toMatchObject({ field: 'lineItems', after: [] });
  });

  it('records a bulk edit of many contacts as one event with the count, ids and fields', async () => {
    const contacts = await Promise.all(['Bea', 'Ben', 'Bob'].map((name) => alice.contacts.create.mutate({ name: `${name} Bulk`, status: 'lead' })));
    const ids = contacts.map((contact) => String(contact._id));
    await alice.contacts.bulkEdit.mutate({ ids, set: { status: 'churned' } });
    const bulk = await crm.events({ tenantId: 'acme', action: 'records.bulk_edited' });
    expect(bulk).toHaveLength(1);
    expect(bulk[0]).toMatchObject({
      ...byAlice(),
      subject: { type: 'contact', id: '*' },
      description: 'Bulk-edited 3 contact records: status',
      editCount: 3,
      affected: { count: 3 },
      changes: [{ field: 'status', after: 'churned' }],
      metadata: { fields: ['status'] },
    });
    expect([...(bulk[0]?.affected?.ids ?? [])].sort()).toEqual([...ids].sort());
  });

  it('records a list export with the list, row count and format', async () => {
    const { rowCount } = await alice.contacts.export.mutate({ format: 'csv' });
    const [exported] = await crm.events({ tenantId: 'acme', action: 'list.exported' });
    expect(exported).toMatchObject({ ...byAlice(), subject: { type: 'list', id: 'contacts' }, description: `Exported ${rowCount} rows of contacts as CSV`, metadata: { list: 'contacts', rowCount, format: 'csv' } });
  });
});
