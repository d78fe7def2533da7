import { MONGOOSE_MAJORS, startCaptureHost, type CaptureHost } from '../fixtures/capture-host';

/** Each bulkWrite operation gives the events the equivalent single call gives, when it succeeded. */
describe.each(MONGOOSE_MAJORS)('Model.bulkWrite (%s)', (_label, mongoosePackage) => {
  let host: CaptureHost;
  let Deals: any;

  beforeAll(async () => {
    host = await startCaptureHost('bulk', mongoosePackage);
    const schema = new host.mongoose.Schema({ name: { type: String, unique: true }, batch: String, stage: String, amount: Number, removed: Boolean }, { timestamps: true });
    schema.plugin(host.auditLog.plugin, { subjectType: 'deal' });
    Deals = host.mongoose.model('Deal', schema);
    await Deals.init();
  });

  afterAll(() => host.close());

  const idOf = (record: { _id: unknown }) => String(record._id);
  const actionsOf = async (record: { _id: unknown }) => (await host.events({ 'subject.id': idOf(record) })).map((event) => event.action);

  it('records insertOne, updateOne, replaceOne and deleteOne operations as their single calls would', async () => {
    const [kept, replaced, deleted] = await Deals.insertMany([{ name: 'bw-kept', stage: 'lead' }, { name: 'bw-replaced', amount: 5 }, { name: 'bw-deleted' }]);
    await host.asUser(() =>
      Deals.bulkWrite([
        { insertOne: { document: { name: 'bw-inserted', stage: 'lead' } } },
        { updateOne: { filter: { _id: kept._id }, update: { $set: { stage: 'won' } } } },
        { replaceOne: { filter: { _id: replaced._id }, replacement: { name: 'bw-replaced', amount: 7 } } },
        { deleteOne: { filter: { _id: deleted._id } } },
      ]),
    );
    const inserted = await Deals.findOne({ name: 'bw-inserted' }).orFail();
    expect(await host.events({ 'subject.id': idOf(inserted) })).toMatchObject([{ action: 'record.created', subject: { name: 'bw-inserted' } }]);
    expect(await host.events({ 'subject.id': idOf(kept) })).toMatchObject([{ action: 'record.updated', changes: [{ field: 'stage', before: 'lead', after: 'won' }] }]);
    expect(await host.events({ 'subject.id': idOf(replaced) })).toMatchObject([{ action: 'record.updated', changes: [{ field: 'amount', before: 5, after: 7 }] }]);
    expect(await host.events({ 'subject.id': idOf(deleted) })).toMatchObject([{ action: 'record.deleted', subject: { name: 'bw-deleted' }, metadata: { soft: false } }]);
  });

  it('records updateMany and deleteMany operations as one parent event each, with the records they change', async () => {
    const [open1, open2, alreadyGone] = await Deals.insertMany([{ name: 'bw-m1', batch: 'm' }, { name: 'bw-m2', batch: 'm' }, { name: 'bw-m3', batch: 'm', removed: true }, { name: 'bw-d1', batch: 'd' }, { name: 'bw-d2', batch: 'd' }]);
    await host.asUser(() => Deals.bulkWrite([{ updateMany: { filter: { batch: 'm' }, update: { $set: { removed: true } } } }, { deleteMany: { filter: { batch: 'd' } } }]));
    const parents = await host.events({ 'subject.id': '*' });
    expect(parents.map((event) => [event.description, [...(event.affected?.ids ?? [])].sort()])).toEqual([
      ['Deleted 2 deal records (soft delete)', [idOf(open1), idOf(open2)].sort()],
      ['Deleted 2 deal records', expect.any(Array)],
    ]);
    expect(parents[0]?.affected?.ids).not.toContain(idOf(alreadyGone));
  });

  it('records an updateOne upsert that inserts as a created record', async () => {
    const result = await host.asUser(() =>
      Deals.bulkWrite([
        { updateOne: { filter: { name: 'bw-existing-none' }, update: { $set: { stage: 'skip' } } } },
        { updateOne: { filter: { name: 'bw-upserted' }, update: { $set: { stage: 'new' } }, upsert: true } },
      ]),
    );
    const upsertedId = Object.values(result.upsertedIds)[0];
    expect(await host.events({ 'subject.id': String(upsertedId) })).toMatchObject([{ action: 'record.created', subject: { name: 'bw-upserted' } }]);
  });

  it('records only the operations that succeeded in an unordered bulkWrite that failed in part', async () => {
    const [target] = await Deals.insertMany([{ name: 'bw-partial', stage: 'lead' }]);
    await expect(
      host.asUser(() =>
        Deals.bulkWrite(
          [
            { insertOne: { document: { name: 'bw-partial-new' } } },
            { insertOne: { document: { name: 'bw-partial' } } },
            { updateOne: { filter: { _id: target._id }, update: { $set: { stage: 'won' } } } },
          ],
          { ordered: false },
        ),
      ),
    ).rejects.toThrow(/duplicate key/);
    const created = await Deals.findOne({ name: 'bw-partial-new' }).orFail();
    expect(await actionsOf(created)).toEqual(['record.created']);
    expect(await actionsOf(target)).toEqual(['record.updated']);
    expect(await host.events({ action: 'record.created', 'subject.name': 'bw-partial' })).toEqual([]);
  });

  it('records only the operations before the failure in an ordered bulkWrite', async () => {
    const [target] = await Deals.insertMany([{ name: 'bw-ordered', stage: 'lead' }]);
    await expect(
      host.asUser(() =>
        Deals.bulkWrite([
          { updateOne: { filter: { _id: target._id }, update: { $set: { stage: 'first' } } } },
          { insertOne: { document: { name: 'bw-ordered' } } },
          { updateOne: { filter: { _id: target._id }, update: { $set: { stage: 'never' } } } },
        ]),
      ),
    ).rejects.toThrow(/duplicate key/);
    expect(await host.events({ 'subject.id': idOf(target) })).toMatchObject([{ action: 'record.updated', changes: [{ field: 'stage', before: 'lead', after: 'first' }] }]);
  });

  it('records nothing for a bulkWrite with skipAudit', async () => {
    const [target] = await Deals.insertMany([{ name: 'bw-skip', stage: 'lead' }]);
    await host.asUser(() => Deals.bulkWrite([{ updateOne: { filter: { _id: target._id }, update: { $set: { stage: 'won' } } } }], { skipAudit: true }));
    expect(await actionsOf(target)).toEqual([]);
  });

  it('pairs each of two bulkWrites running at once in different requests with its own operations', async () => {
    const [first, second] = await Deals.insertMany([{ name: 'bw-c1', stage: 'lead' }, { name: 'bw-c2', stage: 'lead' }]);
    await Promise.all([
      host.asUser(() => Deals.bulkWrite([{ updateOne: { filter: { _id: first._id }, update: { $set: { stage: 'one' } } } }]), 'first-user'),
      host.asUser(() => Deals.bulkWrite([{ updateOne: { filter: { _id: second._id }, update: { $set: { stage: 'two' } } } }]), 'second-user'),
    ]);
    expect((await host.events({ 'subject.id': idOf(first) })).map((event) => event.actor.id)).toEqual(['first-user']);
    expect((await host.events({ 'subject.id': idOf(second) })).map((event) => event.actor.id)).toEqual(['second-user']);
  });
});
