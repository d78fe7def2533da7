import { MONGOOSE_MAJORS, startCaptureHost, type CaptureHost } from '../fixtures/capture-host';

/** Multi-record soft deletes and edits report the records the update changes, not every match. */
describe.each(MONGOOSE_MAJORS)('multi-record updates (%s)', (_label, mongoosePackage) => {
  let host: CaptureHost;
  let Contacts: any;
  const pluginReads: Array<{ projection: unknown }> = [];

  beforeAll(async () => {
    host = await startCaptureHost('multi', mongoosePackage);
    const schema = new host.mongoose.Schema({ name: String, batch: String, status: String, phone: String, visits: Number, removed: { type: Boolean, default: false } }, { timestamps: true });
    // Registered before the plugin's hooks: sees the plugin's own reads, which carry skipAudit.
    schema.pre('find', function (this: any) {
      if (this.getOptions().skipAudit) pluginReads.push({ projection: this.projection() });
    });
    schema.plugin(host.auditLog.plugin, { subjectType: 'contact' });
    Contacts = host.mongoose.model('Contact', schema);
  });

  afterAll(() => host.close());

  async function seed(batch: string, records: Array<Record<string, unknown>>): Promise<string[]> {
    const created = await Contacts.insertMany(records.map((record, index) => ({ name: `${batch} ${index}`, batch, ...record })));
    return created.map((record: { _id: unknown }) => String(record._id));
  }
  const eventsChanging = async (field: string) =>
    (await host.events({ action: 'records.bulk_edited' })).filter((event) => event.changes.some((change) => change.field === field));
  const sorted = (ids: readonly string[] | undefined) => [...(ids ?? [])].sort();

  it('reports a soft delete of many records without those already soft-deleted', async () => {
    const [alive1, alive2, gone] = await seed('soft', [{}, {}, { removed: true }]);
    await host.asUser(() => Contacts.updateMany({ batch: 'soft' }, { $set: { removed: true } }));
    const [deleted] = await host.events({ action: 'record.deleted', 'subject.id': '*' });
    expect(deleted).toMatchObject({ affected: { count: 2 }, editCount: 2, description: 'Deleted 2 contact records (soft delete)' });
    expect(sorted(deleted?.affected?.ids)).toEqual(sorted([alive1!, alive2!]));
    expect(deleted?.affected?.ids).not.toContain(gone);
  });

  it('reports a bulk edit of only the records whose value differs, though timestamps touch every match', async () => {
    const [lead1, , lead3] = await seed('edit', [{ status: 'lead' }, { status: 'customer' }, {}]);
    await host.asUser(() => Contacts.updateMany({ batch: 'edit' }, { $set: { status: 'customer' } }));
    const [edited] = await eventsChanging('status');
    expect(edited).toMatchObject({ affected: { count: 2 }, editCount: 2, changes: [{ field: 'status', after: 'customer' }] });
    expect(sorted(edited?.affected?.ids)).toEqual(sorted([lead1!, lead3!]));
  });

  it('counts an $unset only for records that have the field', async () => {
    const [withPhone] = await seed('unset', [{ phone: '555' }, {}]);
    await host.asUser(() => Contacts.updateMany({ batch: 'unset' }, { $unset: { phone: 1 } }));
    const [edited] = await eventsChanging('phone');
    expect(edited?.affected).toEqual({ count: 1, ids: [withPhone] });
  });

  it('counts every match when an operator always changes the record', async () => {
    await seed('inc', [{ visits: 1 }, { visits: 2 }]);
    await host.asUser(() => Contacts.updateMany({ batch: 'inc' }, { $inc: { visits: 1 }, $set: { status: 'lead' } }));
    const [edited] = await eventsChanging('visits');
    expect(edited?.affected?.count).toBe(2);
  });

  it('records nothing when no matched record would change', async () => {
    await seed('same', [{ status: 'vip' }, { status: 'vip' }]);
    const before = (await host.events()).length;
    await host.asUser(() => Contacts.updateMany({ batch: 'same' }, { $set: { status: 'vip' } }));
    expect(await host.events()).toHaveLength(before);
  });

  it('reads the changing ids in one query that returns ids only', async () => {
    await seed('reads', [{}, {}]);
    pluginReads.length = 0;
    await host.asUser(() => Contacts.updateMany({ batch: 'reads' }, { $set: { status: 'cold' } }));
    expect(pluginReads).toEqual([{ projection: { _id: 1 } }]);
  });
});
