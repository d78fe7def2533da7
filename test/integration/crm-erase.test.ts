import { BSON } from 'mongodb';

const { EJSON } = BSON;
import { AUDIT_EVENTS_COLLECTION } from '../../server/events/event.model';
import { hashedPartBytes } from '../../server/events/stored-form';
import { startTestCrm, type CrmClient, type TestCrm } from '../fixtures/crm-harness';

let crm: TestCrm;
let alice: CrmClient;

beforeAll(async () => {
  crm = await startTestCrm('crm_erase');
  alice = await crm.signIn('acme', 'alice@acme.test', { ip: '203.0.113.44' });
});

afterAll(() => crm.stop());

const PERSONAL = ['Erin Erasable', 'erin@private.test', 'erin.new@private.test', '+33 6 12 34 56 78'];
/** Another record's own value that names her: exact erasure (by data subject) leaves it to that record's erasure. */
const OPPORTUNITY_NAME = 'Renewal for Erin Erasable';
const withoutOpportunityName = (event: unknown) => JSON.stringify(event).replaceAll(OPPORTUNITY_NAME, '');

/** A contact whose name and e-mails end up in many events of the tenant, not only its own. */
async function contactMentionedAcrossTheLog(): Promise<string> {
  const contact = await alice.contacts.create.mutate({ name: 'Erin Erasable', email: 'erin@private.test', phone: '+33 6 12 34 56 78' });
  const id = String(contact._id);
  await alice.contacts.update.mutate({ id, patch: { email: 'erin.new@private.test' } });
  await alice.contacts.get.query({ id });
  await alice.contacts.addTag.mutate({ id, tag: 'gdpr' });
  await alice.opportunities.create.mutate({ name: 'Renewal for Erin Erasable', contactId: id });
  await alice.discussions.create.mutate({ title: 'Call erin.new@private.test back', about: { type: 'contact', id } });
  return id;
}

describe('the erase-data tool', () => {
  it('leaves no event of the tenant containing the erased contact\'s name or e-mail, and records the erase', async () => {
    const contactId = await contactMentionedAcrossTheLog();
    const before = await crm.events({ tenantId: 'acme' });
    expect(before.filter((event) => PERSONAL.some((value) => JSON.stringify(event).includes(value))).length).toBeGreaterThanOrEqual(6);

    const { relatedEventsPseudonymised } = await alice.privacy.eraseContact.mutate({ contactId });

    const after = await crm.events({ tenantId: 'acme' });
    const stillPersonal = after.filter((event) => PERSONAL.some((value) => withoutOpportunityName(event).toLowerCase().includes(value.toLowerCase())));
    expect(stillPersonal).toEqual([]);
    // Six events mention her; the opportunity's creation holds only the opportunity's own name.
    expect(relatedEventsPseudonymised).toBeGreaterThanOrEqual(5);

    const [erased] = await crm.events({ tenantId: 'acme', action: 'data.erased' });
    expect(erased).toMatchObject({
      actor: { name: 'Alice Admin', role: 'admin' },
      subject: { type: 'contact', id: contactId, name: '[erased]' },
      description: `Erased personal data of contact ${contactId}: name, email, phone`,
      status: 'success',
      changes: [{ field: 'name', redacted: true }, { field: 'email', redacted: true }, { field: 'phone', redacted: true }],
      metadata: { erasedFields: ['name', 'email', 'phone'], relatedEventsPseudonymised },
      context: { ip: '203.0.113.44', sessionId: crm.sessionIdOf(alice), deviceType: 'desktop' },
    });
  });

  it('keeps the earlier events themselves, with the marker in place of the name', async () => {
    const contact = await alice.contacts.create.mutate({ name: 'Mona Marker' });
    const contactId = String(contact._id);
    await alice.privacy.eraseContact.mutate({ contactId });
    const [created] = await crm.events({ 'subject.id': contactId, action: 'record.created' });
    expect(created).toMatchObject({ subject: { name: '[erased]' }, description: 'Created contact "[erased]"', changes: expect.arrayContaining([{ field: 'name', after: '[erased]' }]) });
  });

  it('clears the contact\'s personal data in the CRM itself', async () => {
    const contact = await alice.contacts.create.mutate({ name: 'Cleo Cleared', email: 'cleo@private.test' });
    await alice.privacy.eraseContact.mutate({ contactId: String(contact._id) });
    const stored = await alice.contacts.get.query({ id: String(contact._id) });
    expect(stored).toMatchObject({ name: 'Erased contact' });
    expect(stored.email).toBeUndefined();
  });

  it('leaves other tenants\' events untouched', async () => {
    const max = await crm.signIn('globex', 'max@globex.test');
    await max.contacts.create.mutate({ name: 'Same Name Person' });
    const acmeTwin = await alice.contacts.create.mutate({ name: 'Same Name Person' });
    await alice.privacy.eraseContact.mutate({ contactId: String(acmeTwin._id) });
    const globexEvents = await crm.events({ tenantId: 'globex', 'subject.name': 'Same Name Person' });
    expect(globexEvents).toHaveLength(1);
  });
});

describe('erasure by data subject', () => {
  let gina: CrmClient;
  let max: CrmClient;

  beforeAll(async () => {
    gina = await crm.signIn('globex', 'gina@globex.test');
    max = await crm.signIn('globex', 'max@globex.test');
  });

  /** Every stored document of the tenant, as the driver returns it (the stored form, not the reader's view). */
  const rawDocuments = async (tenantId: string) => {
    await crm.auditLog.flush();
    return crm.connection.collection(AUDIT_EVENTS_COLLECTION).find({ tenantId }).sort({ _id: 1 }).toArray();
  };

  it('erasing a contact named "Max" leaves the user "Max Member" untouched everywhere', async () => {
    const contact = await gina.contacts.create.mutate({ name: 'Max', email: 'max.contact@private.test' });
    const contactId = String(contact._id);
    await max.contacts.update.mutate({ id: contactId, patch: { phone: '+49 30 1234567' } });
    await max.contacts.get.query({ id: contactId });
    const before = await crm.events({ tenantId: 'globex' });

    await gina.privacy.eraseContact.mutate({ contactId });

    const after = await crm.events({ tenantId: 'globex' });
    const byId = new Map(after.map((event) => [event.id, event]));
    const aboutOthers = before.filter((event) => event.subject?.id !== contactId);
    expect(aboutOthers.length).toBeGreaterThan(3);
    for (const event of aboutOthers) expect(byId.get(event.id)).toEqual(event);
    const maxActed = after.filter((event) => event.actor.email === 'max@globex.test');
    expect(maxActed.length).toBeGreaterThanOrEqual(3);
    for (const event of maxActed) expect(event.actor).toMatchObject({ name: 'Max Member', email: 'max@globex.test' });
    expect(JSON.stringify(after)).toContain('Max Member');
    // The contact's own events still say who did what when, without its name.
    const update = after.find((event) => event.subject?.id === contactId && event.action === 'record.updated');
    const updateBefore = before.find((event) => event.id === update?.id);
    expect(update).toMatchObject({ actor: { name: 'Max Member', email: 'max@globex.test' }, subject: { type: 'contact', id: contactId, name: '[erased]' } });
    expect(update?.occurredAt).toEqual(updateBefore?.occurredAt);
    const facets = await gina.auditLog.events.facets.query({});
    expect(facets.actors.map((actor) => actor.name)).toContain('Max Member');
  });

  it('erasing a person leaves their e-mail in no field, facet, filter match or search result, and keeps every hashed byte', async () => {
    const email = 'Nora.Nobody@private.test';
    const contact = await gina.contacts.create.mutate({ name: 'Nora Nobody', email });
    const contactId = String(contact._id);
    await gina.contacts.update.mutate({ id: contactId, patch: { email: 'nora.old@private.test' } });
    await gina.contacts.update.mutate({ id: contactId, patch: { email } });
    await gina.discussions.create.mutate({ title: `Ask ${email.toLowerCase()} about the renewal`, about: { type: 'contact', id: contactId } });
    await expect(crm.client().auth.login.mutate({ tenant: 'globex', email, password: 'not the password' })).rejects.toThrow();
    const [failed] = await crm.events({ tenantId: 'globex', action: 'user.login_failed', 'actor.name': email });
    expect(failed?.actor.id).toMatch(/^unknown:/);
    expect(failed?.actor.id.toLowerCase()).not.toContain('nora');
    expect((await gina.auditLog.events.list.query({ actorIds: [failed!.actor.id] })).items.map((event) => event.id)).toEqual([failed!.id]);
    const hashedBefore = new Map((await rawDocuments('globex')).map((document) => [String(document._id), hashedPartBytes(document as never).toString('hex')]));

    const erasure = await gina.privacy.eraseContact.mutate({ contactId });
    expect(erasure.relatedEventsPseudonymised).toBeGreaterThanOrEqual(5);

    const documents = await rawDocuments('globex');
    const mentioning = (text: string) => documents.filter((document) => EJSON.stringify(document).toLowerCase().includes(text));
    expect(mentioning('nora.nobody@private.test')).toEqual([]);
    expect(mentioning('nora.old@private.test')).toEqual([]);
    expect(mentioning('nora nobody')).toEqual([]);
    for (const document of documents) {
      const before = hashedBefore.get(String(document._id));
      if (before !== undefined) expect(hashedPartBytes(document as never).toString('hex')).toBe(before);
    }
    expect(documents.filter((document) => hashedBefore.has(String(document._id)))).toHaveLength(hashedBefore.size);

    const facets = await gina.auditLog.events.facets.query({});
    expect(JSON.stringify(facets).toLowerCase()).not.toContain('nora');
    expect((await gina.auditLog.events.list.query({ search: 'Nora Nobody' })).items).toEqual([]);
    expect((await gina.auditLog.events.list.query({ search: email })).items).toEqual([]);
    expect((await gina.auditLog.events.list.query({ actorIds: [`unknown:${email}`] })).items).toEqual([]);
    // Who did what when stays: the failed sign-in is still there, under its pseudonymous id.
    const stillThere = (await gina.auditLog.events.list.query({ actorIds: [failed!.actor.id] })).items;
    expect(stillThere).toMatchObject([{ id: failed!.id, action: 'user.login_failed', status: 'failure', actor: { name: '[erased]' }, metadata: { attemptedIdentity: '[erased]' } }]);
    expect(stillThere[0]?.occurredAt).toEqual(failed!.occurredAt);
  });

  it('changes nothing the second time', async () => {
    const contact = await gina.contacts.create.mutate({ name: 'Otto Twice', email: 'otto@private.test' });
    const contactId = String(contact._id);
    await gina.privacy.eraseContact.mutate({ contactId });
    const once = (await rawDocuments('globex')).filter((document) => document.action !== 'data.erased');

    const second = await gina.privacy.eraseContact.mutate({ contactId }).catch((error: unknown) => error);
    const twice = (await rawDocuments('globex')).filter((document) => document.action !== 'data.erased');
    expect(EJSON.stringify(twice)).toBe(EJSON.stringify(once));
    // The demo's tool answers from its own record; the log's own erase, run again, counts nothing.
    const [, again] = await crm.events({ tenantId: 'globex', action: 'data.erased', 'subject.id': contactId });
    if (again) expect(again.metadata).toMatchObject({ relatedEventsPseudonymised: 0, erasedValues: {} });
    else expect(second).toBeInstanceOf(Error);
  });
});
