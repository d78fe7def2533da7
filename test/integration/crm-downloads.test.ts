import { startCrmProcess, type CrmProcess } from '../fixtures/crm-process';
import { mutate, query, resultOf, send, signInCookie } from '../fixtures/crm-http';
import type { TestMongo } from '../helpers/test-databases';

/** Export downloads in the demo CRM: the cookie session decides, at every download. */
describe('export downloads in the demo CRM', () => {
  let crm: CrmProcess;
  let database: TestMongo;

  beforeAll(async () => {
    crm = await startCrmProcess('crm_downloads', { nodeEnv: 'production' });
    database = await crm.database();
  });
  afterAll(async () => {
    await database?.drop();
    await crm?.stop();
  });

  /** Signs in as alice (admin) and waits for a CSV export: its in-app link and the link of its notification. */
  async function finishedExport(): Promise<{ cookie: string; id: string; downloadUrl: string; notificationLink: string }> {
    const cookie = await signInCookie(crm.origin, 'acme', 'alice@acme.test');
    const { id } = resultOf<{ id: string }>(await mutate(crm.origin, 'auditLog.exports.create', { format: 'csv' }, { cookie, origin: crm.origin }));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const view = resultOf<{ file?: { downloadUrl: string } }>(await query(crm.origin, 'auditLog.exports.byId', { cookie }, { id }));
      const listed = resultOf<{ items: Array<{ exportId?: string; link?: string }> }>(await query(crm.origin, 'auditLog.notifications.list', { cookie }, {}));
      const notificationLink = listed.items.find((item) => item.exportId === id)?.link;
      if (view.file && notificationLink) return { cookie, id, downloadUrl: view.file.downloadUrl, notificationLink };
      if (Date.now() > deadline) throw new Error('the export did not complete within 60 s');
      await new Promise((done) => setTimeout(done, 200));
    }
  }

  it('sends a browser with no session from the notification’s link to sign-in, which leads back to the download', async () => {
    const { id, notificationLink } = await finishedExport();
    expect(notificationLink).toBe(`/audit-log/exports/${id}/download`);
    const anonymous = await fetch(`${crm.origin}${notificationLink}`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe(`/login?next=${encodeURIComponent(notificationLink)}`);
    // After signing in the page goes to `next`: the same link, now with the session.
    const cookie = await signInCookie(crm.origin, 'acme', 'alice@acme.test');
    const next = new URL(anonymous.headers.get('location')!, crm.origin).searchParams.get('next')!;
    const downloaded = await send(`${crm.origin}${next}`, { headers: { cookie } });
    expect(downloaded.status).toBe(200);
    expect(downloaded.text).toMatch(/^\uFEFF?User,Date\/time,Action/);
  });

  it('refuses the in-app link with no session, and after sign-out', async () => {
    const { cookie, downloadUrl } = await finishedExport();
    expect((await send(`${crm.origin}${downloadUrl}`)).status).toBe(401);
    expect((await send(`${crm.origin}${downloadUrl}`, { headers: { cookie } })).status).toBe(200);
    expect((await mutate(crm.origin, 'auth.logout', undefined, { cookie, origin: crm.origin })).status).toBe(200);
    expect((await send(`${crm.origin}${downloadUrl}`, { headers: { cookie } })).status).toBe(401);
  });

  it('refuses the in-app link once its requester is demoted', async () => {
    const { cookie, downloadUrl } = await finishedExport();
    // The CRM keeps the role on the session: a demotion changes it there.
    await database.connection.collection('sessions').updateMany({ 'user.email': 'alice@acme.test' }, { $set: { 'user.role': 'member' } });
    const answer = await send(`${crm.origin}${downloadUrl}`, { headers: { cookie } });
    expect(answer.status).toBe(403);
    expect(answer.text).toBe('You are not allowed to download audit log exports');
  });
});
