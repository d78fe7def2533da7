import { startCrmProcess, type CrmProcess } from '../fixtures/crm-process';
import { loginAttempt, pushIgnoringAnswer, send, streamBody, type StreamedAnswer } from '../fixtures/crm-http';

const MB = 1_024 * 1_024;
const LOGIN_PREFIX = '{"json":{"tenant":"acme","password":"x","email":"';

let crm: CrmProcess;

beforeAll(async () => {
  crm = await startCrmProcess('crm_limits', { nodeEnv: 'development' });
  // Warm up the login path, so its first use does not count as growth.
  for (let n = 0; n < 3; n++) await loginAttempt(crm.origin, { tenant: 'acme', email: `warm${n}@acme.test`, password: 'x' }, '127.0.0.1');
});

afterAll(() => crm?.stop());

/** Sends the body while sampling the CRM's resident memory every 20 ms; growth is the peak over the level before. */
async function sendWatchingMemory(send: () => Promise<StreamedAnswer>) {
  const before = crm.rssBytes();
  let peak = before;
  const sampler = setInterval(() => void (peak = Math.max(peak, crm.rssBytes())), 20);
  try {
    const answer = await send();
    await new Promise((done) => setTimeout(done, 200));
    peak = Math.max(peak, crm.rssBytes());
    return { answer, before, growth: peak - before };
  } finally {
    clearInterval(sampler);
  }
}

describe('request body limits of the demo CRM', () => {
  it('answers a 300 MB chunked body to auth.login with 413 and JSON, cutting it off, with flat memory', async () => {
    const { answer, before, growth } = await sendWatchingMemory(() =>
      streamBody(`${crm.origin}/trpc/auth.login`, { totalBytes: 300 * MB, prefix: LOGIN_PREFIX, declareLength: false }),
    );
    process.stdout.write(`chunked 300 MB: RSS ${(before / MB).toFixed(1)} MB before, +${(growth / MB).toFixed(1)} MB at peak, ${(answer.sentBytes / MB).toFixed(1)} MB sent before the cut\n`);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { json: { data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 } } } });
    expect(answer.serverClosed).toBe(true);
    expect(answer.sentBytes).toBeLessThan(300 * MB);
    expect(growth).toBeLessThan(8 * MB);
  });

  it('answers a declared 300 MB body with 413 and JSON before reading it, with flat memory', async () => {
    const { answer, before, growth } = await sendWatchingMemory(() =>
      streamBody(`${crm.origin}/trpc/auth.login`, { totalBytes: 300 * MB, prefix: LOGIN_PREFIX, declareLength: true }),
    );
    process.stdout.write(`declared 300 MB: RSS ${(before / MB).toFixed(1)} MB before, +${(growth / MB).toFixed(1)} MB at peak, ${(answer.sentBytes / MB).toFixed(1)} MB sent before the cut\n`);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: 'Request body over 100000 bytes', requestId: expect.any(String) });
    expect(answer.sentBytes).toBeLessThan(300 * MB);
    expect(answer.serverClosed).toBe(true);
    expect(growth).toBeLessThan(8 * MB);
  });

  it('drops the connection of a client that keeps sending after the 413', async () => {
    const started = Date.now();
    const pushed = await pushIgnoringAnswer(`${crm.origin}/trpc/auth.login`, { totalBytes: 300 * MB, prefix: LOGIN_PREFIX });
    process.stdout.write(`ignoring the 413: dropped after ${Date.now() - started} ms, ${(pushed.sentBytes / MB).toFixed(1)} MB written\n`);
    expect(pushed).toMatchObject({ dropped: true, status: 413 });
    expect(pushed.sentBytes).toBeLessThan(50 * MB);
  });

  it.each(['/', '/audit-log/exports/0123456789abcdef01234567/download', '/no-such-page'])('refuses a declared oversized body on %s too', async (path) => {
    const answer = await send(`${crm.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(150_000) });
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ error: 'Request body over 100000 bytes' });
  });

  it('still takes a sign-in of normal size', async () => {
    const answer = await loginAttempt(crm.origin, { tenant: 'acme', email: 'alice@acme.test', password: 'crm-demo-password' }, '127.0.0.1');
    expect(answer.status).toBe(200);
  });
});
