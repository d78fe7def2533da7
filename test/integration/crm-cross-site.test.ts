import { startTestCrm, type TestCrm } from '../fixtures/crm-harness';
import { mutate, query, resultOf, send, signInCookie } from '../fixtures/crm-http';

let crm: TestCrm;
let origin: string;
/** Another port of the same host: same-site for the browser, so a lax cookie goes along. */
let sameSiteOrigin: string;

beforeAll(async () => {
  crm = await startTestCrm('crm_cross_site');
  origin = new URL(crm.url).origin;
  sameSiteOrigin = `http://127.0.0.1:${Number(new URL(origin).port) + 1}`;
});

afterAll(() => crm.stop());

/** What a browser sends for `<form method="post" enctype="multipart/form-data" action=".../trpc/auth.logout">`. */
function formPost(path: string, cookie: string, headers: Record<string, string>) {
  const form = new FormData();
  form.set('anything', '1');
  return send(`${origin}/trpc/${path}`, { method: 'POST', body: form, headers: { cookie, ...headers } });
}

async function signedInAs(cookie: string): Promise<string | undefined> {
  return resultOf<{ user: { email: string } | null }>(await query(origin, 'auth.me', { cookie })).user?.email;
}

describe('cookie-authenticated mutations of the demo CRM', () => {
  it('refuses a same-site form post to auth.logout from another port, and the session survives', async () => {
    const cookie = await signInCookie(origin, 'acme', 'mark@acme.test');
    const answer = await formPost('auth.logout', cookie, { origin: sameSiteOrigin, referer: `${sameSiteOrigin}/evil.html` });
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({ error: 'Cross-origin request refused', requestId: expect.any(String) });
    expect(await signedInAs(cookie)).toBe('mark@acme.test');
    expect(await crm.events({ tenantId: 'acme', action: 'user.logout', 'actor.email': 'mark@acme.test' })).toHaveLength(0);
  });

  it('refuses a form post that names another origin only in its Referer', async () => {
    const cookie = await signInCookie(origin, 'acme', 'mark@acme.test');
    const answer = await formPost('auth.logout', cookie, { referer: `${sameSiteOrigin}/evil.html` });
    expect(answer.status).toBe(403);
    expect(await signedInAs(cookie)).toBe('mark@acme.test');
  });

  it('refuses a JSON mutation from another origin with 403', async () => {
    const cookie = await signInCookie(origin, 'acme', 'mark@acme.test');
    const answer = await mutate(origin, 'contacts.create', { name: 'Eve Forged', email: 'eve@evil.test' }, { cookie, origin: sameSiteOrigin });
    expect(answer.status).toBe(403);
    expect(await crm.events({ tenantId: 'acme', 'subject.name': 'Eve Forged' })).toHaveLength(0);
  });

  it('refuses a mutation from the CRM\'s own origin that is not JSON with 415', async () => {
    const cookie = await signInCookie(origin, 'acme', 'mark@acme.test');
    const answer = await formPost('auth.logout', cookie, { origin });
    expect(answer.status).toBe(415);
    expect(answer.json).toEqual({ error: 'Mutations take application/json', requestId: expect.any(String) });
    expect(await signedInAs(cookie)).toBe('mark@acme.test');
  });

  it('refuses a text/plain body (what a cross-site fetch without preflight can send) with 415', async () => {
    const cookie = await signInCookie(origin, 'acme', 'mark@acme.test');
    const answer = await send(`${origin}/trpc/auth.logout`, { method: 'POST', headers: { cookie, 'content-type': 'text/plain' }, body: '{}' });
    expect(answer.status).toBe(415);
    expect(await signedInAs(cookie)).toBe('mark@acme.test');
  });

  it('takes a JSON mutation from the CRM\'s own pages', async () => {
    const cookie = await signInCookie(origin, 'acme', 'mark@acme.test', { origin });
    const answer = await mutate(origin, 'auth.logout', undefined, { cookie, origin, referer: `${origin}/` });
    expect(answer.status).toBe(200);
    expect(await signedInAs(cookie)).toBeUndefined();
  });

  it('takes a sign-in from a client that sends no Origin (a script, no cookie)', async () => {
    const cookie = await signInCookie(origin, 'acme', 'mark@acme.test');
    expect(cookie).toMatch(/^crm_session=/);
  });

  it('lets GET queries through whatever their origin', async () => {
    const cookie = await signInCookie(origin, 'acme', 'mark@acme.test');
    const answer = await query(origin, 'auth.me', { cookie, origin: sameSiteOrigin });
    expect(answer.status).toBe(200);
  });

  it('refuses an Origin of "null" (a sandboxed frame)', async () => {
    const answer = await mutate(origin, 'auth.login', { tenant: 'acme', email: 'mark@acme.test', password: 'x' }, { origin: 'null' });
    expect(answer.status).toBe(403);
  });
});
