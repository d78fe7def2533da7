import { startTestCrm, type CrmClient, type TestCrm } from '../fixtures/crm-harness';

let crm: TestCrm;
let alice: CrmClient;

beforeAll(async () => {
  crm = await startTestCrm('crm_erase');
  alice = await crm.signIn('acme', 'alice@acme.test', { ip: '203.0.113.44' });
});

afterAll(() => crm.stop());

const PERSONAL = ['Erin Erasable', 'erin@private.test', 'erin.new@private.test', '+33 6 12 34 56 78'];

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
    const stillPersonal = after.filter((event) => PERSONAL.some((value) => JSON.stringify(event).toLowerCase().includes(value.toLowerCase())));
    expect(stillPersonal).toEqual([]);
    expect(relatedEventsPseudonymised).toBeGreaterThanOrEqual(6);

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
