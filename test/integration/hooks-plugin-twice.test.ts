import { MONGOOSE_MAJORS, startCaptureHost, type CaptureHost } from '../fixtures/capture-host';

/**
 * A host that installs the plugin for all models (`mongoose.plugin`) and again, with its own
 * options, on one schema: mongoose runs the global plugin when the model is compiled, after the
 * schema's own `plugin` call.
 */
describe.each(MONGOOSE_MAJORS)('the plugin applied globally and per model (%s)', (_label, mongoosePackage) => {
  let host: CaptureHost;
  let Leads: any;
  let Notes: any;
  let Tasks: any;

  beforeAll(async () => {
    host = await startCaptureHost('twice', mongoosePackage);
    host.mongoose.plugin(host.auditLog.plugin);
    const leadSchema = new host.mongoose.Schema({ name: String, stage: String, score: Number, removed: Boolean }, { timestamps: true });
    leadSchema.plugin(host.auditLog.plugin, { subjectType: 'sales_lead', ignore: ['score'] });
    Leads = host.mongoose.model('Lead', leadSchema);
    Notes = host.mongoose.model('Note', new host.mongoose.Schema({ title: String }));
    const taskSchema = new host.mongoose.Schema({ title: String });
    taskSchema.plugin(host.auditLog.plugin, { subjectType: 'todo' });
    Tasks = host.mongoose.model('Task', taskSchema);
  });

  afterAll(() => host.close());

  it('records one event per write of a schema that has both', async () => {
    const lead = await host.asUser(() => Leads.create({ name: 'Once', stage: 'new' }));
    await host.asUser(async () => {
      await Leads.updateOne({ _id: lead._id }, { $set: { stage: 'won' } });
      await Leads.updateMany({ _id: lead._id }, { $set: { stage: 'lost' } });
      await Leads.bulkWrite([{ updateOne: { filter: { _id: lead._id }, update: { $set: { stage: 'open' } } } }]);
      await Leads.deleteOne({ _id: lead._id });
    });
    const single = await host.events({ 'subject.id': String(lead._id) });
    const bulk = await host.events({ action: 'records.bulk_edited', 'affected.ids': String(lead._id) });
    expect(single.map((event) => event.action)).toEqual(['record.created', 'record.updated', 'record.updated', 'record.deleted']);
    expect(bulk).toHaveLength(1);
  });

  it('uses the per-model options for that schema', async () => {
    const lead = await host.asUser(() => Leads.create({ name: 'Options', score: 1 }));
    await host.asUser(() => Leads.updateOne({ _id: lead._id }, { $set: { score: 2, stage: 'hot' } }));
    const events = await host.events({ 'subject.id': String(lead._id) });
    expect(events.map((event) => [event.action, event.subject?.type])).toEqual([['record.created', 'sales_lead'], ['record.updated', 'sales_lead']]);
    expect(events[1]?.changes).toEqual([{ field: 'stage', after: 'hot' }]);
  });

  it('keeps the global options for the other models', async () => {
    const note = await host.asUser(() => Notes.create({ title: 'Global' }));
    const events = await host.events({ 'subject.id': String(note._id) });
    expect(events.map((event) => [event.action, event.subject?.type])).toEqual([['record.created', 'note']]);
  });

  it('counts the plugin bound by createAuditLog as the same plugin', async () => {
    const task = await host.asUser(() => Tasks.create({ title: 'Bound' }));
    await host.asUser(() => Tasks.updateOne({ _id: task._id }, { $set: { title: 'Bound again' } }));
    const events = await host.events({ 'subject.id': String(task._id) });
    expect(events.map((event) => [event.action, event.subject?.type])).toEqual([['record.created', 'todo'], ['record.updated', 'todo']]);
  });
});
