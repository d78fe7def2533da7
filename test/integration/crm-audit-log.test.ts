import { startTestCrm, type TestCrm } from '../fixtures/crm-harness';

let crm: TestCrm;

beforeAll(async () => {
  crm = await startTestCrm('crm_audit_log');
});

afterAll(() => crm.stop());

describe('the audit log mounted in the demo CRM as auditLog', () => {
  it("shows a signed-in admin their tenant's events, newest first", async () => {
    const alice = await crm.signIn('acme', 'alice@acme.test');
    const created = await alice.contacts.create.mutate({ name: 'Linus Audit', email: 'linus@example.com' });
    await crm.auditLog.flush();
    const page = await alice.auditLog.events.list.query({ limit: 10 });
    expect(page.items[0]).toMatchObject({ tenantId: 'acme', action: 'record.created', subject: { type: 'contact', id: String(created._id) } });
    expect(page.items.every((event) => event.tenantId === 'acme')).toBe(true);
    const times = page.items.map((event) => new Date(event.occurredAt).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const logins = await alice.auditLog.events.list.query({ actions: ['user.login'], actorIds: [page.items[0]!.actor.id] });
    expect(logins.items.length).toBeGreaterThan(0);
  });

  it('refuses members (FORBIDDEN) and visitors without a session (UNAUTHORIZED)', async () => {
    const mark = await crm.signIn('acme', 'mark@acme.test');
    await expect(mark.auditLog.events.list.query({})).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    await expect(crm.client().auditLog.events.list.query({})).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });

  it("never shows one tenant's admin another tenant's events", async () => {
    const gina = await crm.signIn('globex', 'gina@globex.test');
    await crm.auditLog.flush();
    const page = await gina.auditLog.events.list.query({ limit: 200 });
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((event) => event.tenantId === 'globex')).toBe(true);
    const facets = await gina.auditLog.events.facets.query({});
    expect(facets.actors.every((actor) => !actor.value.includes('acme'))).toBe(true);
  });
});
