import { createAuditLogClient } from '../../client';
import type { AppRouter } from '../../examples/crm/app-router';
import { DEMO_PASSWORD } from '../../examples/crm/seed-data';
import { startTestCrm, type TestCrm } from '../fixtures/crm-harness';
import { realmSafeFetch } from '../helpers/realm-safe-fetch';

let crm: TestCrm;

beforeAll(async () => {
  crm = await startTestCrm('crm_read_limits', { redis: true });
}, 120_000);

afterAll(async () => {
  await crm?.stop();
});

/** One GET batching `calls` calls of `auditLog.session` (open to anyone), as httpBatchLink sends them. */
async function batchOf(calls: number) {
  const paths = Array.from({ length: calls }, () => 'auditLog.session').join(',');
  const input = encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: calls }, (_, index) => [index, {}]))));
  const response = await realmSafeFetch(`${crm.url}/${paths}?batch=1&input=${input}`);
  return { status: response.status, text: await response.text() };
}

describe("the demo CRM's /trpc mount", () => {
  it('answers a batch of 10 calls', async () => {
    const answer = await batchOf(10);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toHaveLength(10);
  });

  it('refuses a batch of 11 calls with 400 BAD_REQUEST', async () => {
    const answer = await batchOf(11);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('Batch call exceeds maximum size');
  });
});

/** The package client against the CRM's /trpc with a browser's cookie jar: queries, mutations and live streams share the session. */
function browserClient() {
  let cookie: string | undefined;
  return createAuditLogClient<AppRouter>({
    url: crm.url,
    headers: () => (cookie ? { cookie } : {}),
    fetch: async (input, init) => {
      const response = await realmSafeFetch(input, init);
      const setCookie = response.headers.get('set-cookie')?.split(';')[0];
      if (setCookie) cookie = setCookie.endsWith('=') ? undefined : setCookie;
      return response;
    },
  });
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

describe("the demo CRM's live event stream", () => {
  it('closes within seconds of its user’s logout, with UNAUTHORIZED, and delivers nothing after it', async () => {
    const browser = browserClient();
    await browser.auth.login.mutate({ tenant: 'acme', email: 'alice@acme.test', password: DEMO_PASSWORD });
    const received: string[] = [];
    let closed: { at: number; error: unknown } | undefined;
    const subscription = browser.auditLog.events.live.subscribe(
      { actions: ['record.created'] },
      { onData: (event) => received.push(event.subject?.name ?? ''), onError: (error) => (closed = { at: Date.now(), error }) },
    );
    try {
      // The stream is open once a contact created now arrives on it.
      const deadline = Date.now() + 30_000;
      for (let n = 0; !received.some((name) => name.startsWith('Before')); n++) {
        if (Date.now() > deadline) throw new Error('the live stream never delivered');
        await browser.contacts.create.mutate({ name: `Before ${n}`, email: `before${n}@acme.test` });
        await sleep(200);
      }
      // Another session of the same user keeps writing after this one signs out.
      const writer = browserClient();
      await writer.auth.login.mutate({ tenant: 'acme', email: 'alice@acme.test', password: DEMO_PASSWORD });
      const loggedOutAt = Date.now();
      await browser.auth.logout.mutate();
      const closeDeadline = Date.now() + 30_000;
      for (let n = 0; !closed; n++) {
        if (Date.now() > closeDeadline) throw new Error('the live stream stayed open after logout');
        await writer.contacts.create.mutate({ name: `After ${n}`, email: `after${n}@acme.test` });
        await sleep(100);
      }
      process.stdout.write(`live stream closed ${closed.at - loggedOutAt} ms after logout\n`);
      expect(closed.error).toMatchObject({ data: { code: 'UNAUTHORIZED' }, message: expect.stringContaining('the session ended') });
      for (let n = 0; n < 3; n++) await writer.contacts.create.mutate({ name: `Later ${n}`, email: `later${n}@acme.test` });
      await crm.auditLog.flush();
      await sleep(500);
      expect(received.filter((name) => name.startsWith('After') || name.startsWith('Later'))).toEqual([]);
    } finally {
      subscription.unsubscribe();
    }
  }, 120_000);
});
