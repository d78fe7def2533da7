import { MONGOOSE_MAJORS, startCaptureHost, type CaptureHost } from '../fixtures/capture-host';

describe.each(MONGOOSE_MAJORS)('replaces and upserts (%s)', (_label, mongoosePackage) => {
  let host: CaptureHost;
  let Accounts: any;

  beforeAll(async () => {
    host = await startCaptureHost('upserts', mongoosePackage);
    const schema = new host.mongoose.Schema({ name: String, plan: String, seats: Number, owner: String, removed: { type: Boolean, default: false } }, { timestamps: true });
    schema.plugin(host.auditLog.plugin, { subjectType: 'account' });
    Accounts = host.mongoose.model('Account', schema);
  });

  afterAll(() => host.close());

  const idOf = (record: { _id: unknown }) => String(record._id);

  it('records replaceOne as an update diffed against the record before, fields left out included', async () => {
    const account = await host.asUser(() => Accounts.create({ name: 'Acme', plan: 'free', seats: 3 }));
    await host.asUser(() => Accounts.replaceOne({ _id: account._id }, { name: 'Acme', plan: 'pro' }));
    const [, replaced] = await host.events({ 'subject.id': idOf(account) });
    expect(replaced).toMatchObject({ action: 'record.updated', subject: { name: 'Acme' } });
    expect(replaced?.changes).toEqual(expect.arrayContaining([{ field: 'plan', before: 'free', after: 'pro' }, { field: 'seats', before: 3 }]));
    expect(replaced?.changes).toHaveLength(2);
  });

  it('records findOneAndReplace as an update', async () => {
    const account = await host.asUser(() => Accounts.create({ name: 'Globex', plan: 'free' }));
    await host.asUser(() => Accounts.findOneAndReplace({ _id: account._id }, { name: 'Globex Corp', plan: 'free' }, { new: true }));
    const [, replaced] = await host.events({ 'subject.id': idOf(account) });
    expect(replaced).toMatchObject({ action: 'record.updated', subject: { name: 'Globex Corp' }, changes: [{ field: 'name', before: 'Globex', after: 'Globex Corp' }] });
  });

  it('records an updateOne upsert that inserts as a created record, described by its filter and update', async () => {
    const result = await host.asUser(() => Accounts.updateOne({ name: 'Initech' }, { $set: { plan: 'team' }, $setOnInsert: { seats: 5 } }, { upsert: true }));
    const [created] = await host.events({ 'subject.id': String(result.upsertedId) });
    expect(created).toMatchObject({ action: 'record.created', subject: { type: 'account', name: 'Initech' } });
    expect(created?.changes).toEqual(expect.arrayContaining([{ field: 'name', after: 'Initech' }, { field: 'plan', after: 'team' }, { field: 'seats', after: 5 }]));
  });

  it('records a findOneAndUpdate upsert that inserts as a created record, as the CRM writes it', async () => {
    const account = await host.asUser(() => Accounts.findOneAndUpdate({ name: 'Umbrella' }, { plan: 'pro', owner: 'ann' }, { new: true, runValidators: true, upsert: true }));
    const events = await host.events({ 'subject.id': idOf(account) });
    expect(events.map((event) => event.action)).toEqual(['record.created']);
    expect(events[0]?.changes).toEqual(expect.arrayContaining([{ field: 'plan', after: 'pro' }, { field: 'owner', after: 'ann' }]));
  });

  it('records a findOneAndUpdate upsert that returns the old (absent) record with the one it inserted', async () => {
    await host.asUser(() => Accounts.findOneAndUpdate({ name: 'Hooli' }, { plan: 'free' }, { upsert: true, new: false }));
    const inserted = await Accounts.findOne({ name: 'Hooli' }).orFail();
    const [created] = await host.events({ 'subject.id': idOf(inserted) });
    expect(created).toMatchObject({ action: 'record.created', subject: { name: 'Hooli' } });
  });

  it('records an upsert that matched an existing record as an update, not a create', async () => {
    const account = await host.asUser(() => Accounts.create({ name: 'Stark', plan: 'free' }));
    await host.asUser(() => Accounts.updateOne({ name: 'Stark' }, { $set: { plan: 'pro' }, $setOnInsert: { seats: 9 } }, { upsert: true }));
    const events = await host.events({ 'subject.id': idOf(account) });
    expect(events.map((event) => event.action)).toEqual(['record.created', 'record.updated']);
    expect(events[1]?.changes).toEqual([{ field: 'plan', before: 'free', after: 'pro' }]);
  });

  it('records an updateMany upsert that inserts as a created record', async () => {
    const result = await host.asUser(() => Accounts.updateMany({ name: 'Wayne' }, { $set: { plan: 'enterprise' } }, { upsert: true }));
    const events = await host.events({ 'subject.id': String(result.upsertedId) });
    expect(events.map((event) => event.action)).toEqual(['record.created']);
    expect(await host.events({ action: 'records.bulk_edited' })).toEqual([]);
  });
});
