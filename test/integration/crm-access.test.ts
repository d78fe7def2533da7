import { TRPCClientError } from '@trpc/client';
import { startTestCrm, USER_AGENTS, type TestCrm } from '../fixtures/crm-harness';

let crm: TestCrm;

beforeAll(async () => {
  crm = await startTestCrm('crm_access');
});

afterAll(() => crm.stop());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('sign-in, integrations and collaboration in the demo CRM', () => {
  it('records a sign-in with the user, the new session id, IP and device', async () => {
    await crm.signIn('globex', 'max@globex.test', { ip: '198.51.100.20', userAgent: USER_AGENTS.iphoneSafari });
    const [login] = await crm.events({ tenantId: 'globex', action: 'user.login', 'actor.email': 'max@globex.test' });
    expect(login).toMatchObject({
      tenantId: 'globex',
      actor: { name: 'Max Member', role: 'member', type: 'user' },
      subject: { type: 'user', name: 'Max Member' },
      description: 'Max Member signed in',
      status: 'success',
      context: { ip: '198.51.100.20', deviceType: 'mobile', os: 'iOS 17.5' },
    });
    expect(login?.context.sessionId).toMatch(UUID);
  });

  it('records a failed sign-in with status failure and the attempted identity, never the password', async () => {
    const guest = crm.client({ ip: '192.0.2.66', userAgent: USER_AGENTS.ipad });
    await expect(guest.auth.login.mutate({ tenant: 'acme', email: 'alice@acme.test', password: 'guess-Xy9!' })).rejects.toThrow(/Wrong workspace, e-mail or password/);
    const [failed] = await crm.events({ tenantId: 'acme', action: 'user.login_failed' });
    expect(failed).toMatchObject({
      tenantId: 'acme',
      actor: { name: 'alice@acme.test' },
      description: 'Failed sign-in as alice@acme.test',
      status: 'failure',
      failureReason: 'Wrong password',
      metadata: { attemptedIdentity: 'alice@acme.test' },
      context: { ip: '192.0.2.66', deviceType: 'tablet' },
    });
    expect(JSON.stringify(failed)).not.toContain('guess-Xy9!');
  });

  it('records a sign-out with the session that ended', async () => {
    const gina = await crm.signIn('globex', 'gina@globex.test', { ip: '198.51.100.21' });
    await gina.auth.logout.mutate();
    const [logout] = await crm.events({ tenantId: 'globex', action: 'user.logout' });
    expect(logout).toMatchObject({
      tenantId: 'globex',
      actor: { name: 'Gina Globex', role: 'admin' },
      subject: { type: 'user', name: 'Gina Globex' },
      description: 'Gina Globex signed out',
      status: 'success',
      context: { ip: '198.51.100.21', sessionId: crm.sessionIdOf(gina), deviceType: 'desktop' },
    });
    await expect(gina.contacts.list.query()).rejects.toThrow(/Sign in first/);
  });

  it('records an invoice posted to QuickBooks Online with the provider, external id and amount', async () => {
    const alice = await crm.signIn('acme', 'alice@acme.test', { ip: '203.0.113.30' });
    const invoice = await alice.invoices.create.mutate({ number: 'ACME-2001', amount: 1200, currency: 'EUR' });
    const { externalId } = await alice.invoices.post.mutate({ invoiceId: String(invoice._id), provider: 'quickbooks' });
    const [posted] = await crm.events({ 'subject.id': String(invoice._id), action: 'invoice.posted' });
    expect(posted).toMatchObject({
      tenantId: 'acme',
      actor: { name: 'Alice Admin' },
      subject: { type: 'invoice', name: 'ACME-2001' },
      description: 'Posted invoice ACME-2001 (1200.00 EUR) to QuickBooks Online',
      status: 'success',
      integration: { provider: 'quickbooks', externalId },
      metadata: { amount: 1200, currency: 'EUR', invoiceNumber: 'ACME-2001' },
      context: { ip: '203.0.113.30', sessionId: crm.sessionIdOf(alice), deviceType: 'desktop' },
    });
  });

  it('records a failed post to Xero with status failure and the provider\'s reason', async () => {
    const alice = await crm.signIn('acme', 'alice@acme.test', { ip: '203.0.113.31', userAgent: USER_AGENTS.ipad });
    const invoice = await alice.invoices.create.mutate({ number: 'ACME-2002', amount: 75.5, currency: 'GBP' });
    crm.providers.xero.failWith('Xero: contact is archived');
    try {
      await expect(alice.invoices.post.mutate({ invoiceId: String(invoice._id), provider: 'xero' })).rejects.toThrow(/refused the invoice/);
    } finally {
      crm.providers.xero.failWith(undefined);
    }
    const [failed] = await crm.events({ 'subject.id': String(invoice._id), action: 'invoice.posted' });
    expect(failed).toMatchObject({
      tenantId: 'acme',
      actor: { name: 'Alice Admin' },
      subject: { type: 'invoice', id: String(invoice._id), name: 'ACME-2002' },
      context: { ip: '203.0.113.31', sessionId: crm.sessionIdOf(alice), deviceType: 'tablet' },
      description: 'Posting invoice ACME-2002 (75.50 GBP) to Xero failed',
      status: 'failure',
      failureReason: 'Xero: contact is archived',
      integration: { provider: 'xero' },
      metadata: { amount: 75.5, currency: 'GBP' },
    });
  });

  it('records a comment through the tRPC audited middleware, with the discussion and the comment id', async () => {
    const mark = await crm.signIn('acme', 'mark@acme.test', { ip: '203.0.113.32', userAgent: USER_AGENTS.iphoneSafari });
    const discussion = await mark.discussions.create.mutate({ title: 'Pricing question' });
    const { id: commentId } = await mark.discussions.addComment.mutate({ discussionId: String(discussion._id), body: 'Can we offer 10%?' });
    const [commented] = await crm.events({ action: 'comment.created', 'subject.id': String(discussion._id) });
    expect(commented).toMatchObject({
      tenantId: 'acme',
      actor: { name: 'Mark Member', role: 'member' },
      subject: { type: 'discussion', name: 'Pricing question' },
      description: 'Commented on discussion "Pricing question"',
      status: 'success',
      metadata: { discussionId: String(discussion._id), commentId },
      context: { ip: '203.0.113.32', sessionId: crm.sessionIdOf(mark), deviceType: 'mobile' },
    });
  });

  it('records a comment on a missing discussion with status failure and the error code', async () => {
    const mark = await crm.signIn('acme', 'mark@acme.test');
    const missing = 'aaaaaaaaaaaaaaaaaaaaaaaa';
    await expect(mark.discussions.addComment.mutate({ discussionId: missing, body: 'Hello?' })).rejects.toBeInstanceOf(TRPCClientError);
    const [failed] = await crm.events({ action: 'comment.created', 'subject.id': missing });
    expect(failed).toMatchObject({
      tenantId: 'acme',
      actor: { name: 'Mark Member' },
      subject: { type: 'discussion', id: missing },
      description: `Commented on discussion ${missing}`,
      status: 'failure',
      failureReason: 'NOT_FOUND: No such discussion',
      context: { sessionId: crm.sessionIdOf(mark), deviceType: 'desktop' },
    });
  });

  it('keeps each tenant\'s events under its own tenant', async () => {
    const max = await crm.signIn('globex', 'max@globex.test');
    const contact = await max.contacts.create.mutate({ name: 'Globex Only' });
    const events = await crm.events({ 'subject.id': String(contact._id) });
    expect(events.map((event) => event.tenantId)).toEqual(['globex']);
  });

  it('refuses the erase tool to a member', async () => {
    const mark = await crm.signIn('acme', 'mark@acme.test');
    const [contact] = await mark.contacts.list.query();
    await expect(mark.privacy.eraseContact.mutate({ contactId: String(contact!._id) })).rejects.toThrow(/Only administrators/);
  });
});
