import { MONGOOSE_MAJORS, startCaptureHost, type CaptureHost } from '../fixtures/capture-host';

/**
 * The incident a real CRM reported: `mongoose.plugin(auditLog.plugin)` for all models stored the
 * user model's password salt in clear. Every capture path must keep secrets out of the log.
 */
const SECRET = /S3CRET-/;

describe.each(MONGOOSE_MAJORS)('secrets in the log with the plugin applied globally (%s)', (_label, mongoosePackage) => {
  let host: CaptureHost;
  let Users: any;

  beforeAll(async () => {
    host = await startCaptureHost('secrets', mongoosePackage);
    host.mongoose.plugin(host.auditLog.plugin);
    const schema = new host.mongoose.Schema(
      {
        email: String,
        hash: { type: String, select: false },
        salt: { type: String, select: false },
        recoveryHint: { type: String, select: false },
        resetToken: String,
        clientSecret: String,
        sessions: [{ device: String, token: String }],
        hashtags: [String],
        removed: Boolean,
      },
      { timestamps: true },
    );
    Users = host.mongoose.model('User', schema);
  });

  afterAll(() => host.close());

  async function expectNoSecretIn(id: string) {
    const events = await host.events({ 'subject.id': id });
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toMatch(SECRET);
    return events;
  }

  it('records the fields of a created user but not the values of its salt, hash or a select: false field', async () => {
    const user = await host.asUser(() => Users.create({ email: 'ann@crm.test', salt: 'S3CRET-salt', hash: 'S3CRET-hash', recoveryHint: 'S3CRET-hint', hashtags: ['#vip'] }));
    const [created] = await expectNoSecretIn(String(user._id));
    expect(created?.changes).toEqual(expect.arrayContaining([
      { field: 'salt', redacted: true },
      { field: 'hash', redacted: true },
      { field: 'recoveryHint', redacted: true },
      { field: 'hashtags', after: ['#vip'] },
    ]));
  });

  it('records a password change made by saving a loaded user without its values', async () => {
    const user = await host.asUser(() => Users.create({ email: 'bob@crm.test' }));
    await host.asUser(async () => {
      const loaded = await Users.findById(user._id).orFail();
      loaded.salt = 'S3CRET-new-salt';
      loaded.hash = 'S3CRET-new-hash';
      await loaded.save();
    });
    const [, updated] = await expectNoSecretIn(String(user._id));
    expect(updated?.changes).toHaveLength(2);
    expect(updated?.changes).toEqual(expect.arrayContaining([{ field: 'hash', redacted: true }, { field: 'salt', redacted: true }]));
  });

  it('records query updates, replaces and bulk writes of secrets without their values', async () => {
    const user = await host.asUser(() => Users.create({ email: 'cy@crm.test' }));
    await host.asUser(async () => {
      // FerretDB v1 refuses findAndModify with a projection, which select: false fields add; '+' lifts it.
      await Users.findOneAndUpdate({ _id: user._id }, { resetToken: 'S3CRET-reset', salt: 'S3CRET-salt-2' }, { new: true, runValidators: true }).select('+hash +salt +recoveryHint');
      await Users.updateOne({ _id: user._id }, { $push: { sessions: { device: 'ios', token: 'S3CRET-session' } } });
      await Users.replaceOne({ _id: user._id }, { email: 'cy@crm.test', clientSecret: 'S3CRET-client' });
      await Users.bulkWrite([{ updateOne: { filter: { _id: user._id }, update: { $set: { hash: 'S3CRET-bulk' } } } }]);
    });
    const events = await expectNoSecretIn(String(user._id));
    expect(events.map((event) => event.action)).toEqual(['record.created', 'record.updated', 'record.updated', 'record.updated', 'record.updated']);
    expect(events[2]?.changes).toEqual([{ field: 'sessions', before: [], after: [{ device: 'ios', token: '[redacted]', _id: expect.any(String) }] }]);
  });

  it('records updateMany of a secret without its value', async () => {
    await host.asUser(() => Users.create({ email: 'many@crm.test' }));
    await host.asUser(() => Users.updateMany({ email: 'many@crm.test' }, { $set: { resetToken: 'S3CRET-many' } }));
    const [bulk] = await host.events({ action: 'records.bulk_edited' });
    expect(bulk?.changes).toEqual([{ field: 'resetToken', redacted: true }]);
    expect(JSON.stringify(bulk)).not.toMatch(SECRET);
  });
});
