import { DEMO_PASSWORD } from '../../examples/crm/seed-data';
import { startTestCrm, type TestCrm } from '../fixtures/crm-harness';
import { startCrmProcess } from '../fixtures/crm-process';
import { storedEvents } from '../fixtures/stored-events';
import { loginAttempt, type RawAnswer } from '../fixtures/crm-http';

let crm: TestCrm;
let origin: string;

beforeAll(async () => {
  crm = await startTestCrm('crm_throttle');
  origin = new URL(crm.url).origin;
});

afterAll(() => crm.stop());

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const codeOf = (answer: RawAnswer) => (answer.json as { error?: { json?: { data?: { code?: string } } } }).error?.json?.data?.code ?? 'OK';

async function attempts(count: number, attempt: { tenant: string; email: string; password: string }, ip: string): Promise<RawAnswer[]> {
  const answers: RawAnswer[] = [];
  for (let n = 0; n < count; n++) answers.push(await loginAttempt(origin, attempt, ip));
  return answers;
}

/** Polls until `check` passes: counts are recorded by a timer, within about a second. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
}

describe('sign-in throttling in the demo CRM', () => {
  it('answers 250 wrong passwords with 401 five times, then 429 with Retry-After; the log gets one failure and one count', async () => {
    const answers = await attempts(250, { tenant: 'acme', email: 'alice@acme.test', password: 'wrong-guess' }, '203.0.113.50');
    const codes = answers.map(codeOf);
    const throttled = answers.filter((answer) => answer.status === 429);
    process.stdout.write(`250 wrong passwords: ${answers.length - throttled.length} checked (401), ${throttled.length} throttled (429)\n`);
    expect(codes.slice(0, 6)).toEqual([...Array(5).fill('UNAUTHORIZED'), 'TOO_MANY_REQUESTS']);
    expect(throttled.length).toBeGreaterThanOrEqual(240);
    expect(Number(throttled[0]?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((throttled[0]?.json as { error: { json: { message: string } } }).error.json.message).toMatch(/^Too many failed sign-ins: try again in \d+ s$/);

    // The identity waits its turn, then signs in: its count is recorded before the sign-in.
    const waitSeconds = Number(answers.at(-1)?.headers.get('retry-after') ?? 0);
    await sleep(waitSeconds * 1_000 + 100);
    expect((await loginAttempt(origin, { tenant: 'acme', email: 'alice@acme.test', password: DEMO_PASSWORD }, '203.0.113.50')).status).toBe(200);
    const failures = await eventually(() => crm.events({ tenantId: 'acme', action: 'user.login_failed', 'actor.name': 'alice@acme.test' }), (events) => events.length >= 2);
    process.stdout.write(`events recorded for them: ${failures.length} (${failures.map((event) => event.description).join('; ')})\n`);
    expect(failures.map((event) => event.description)).toEqual(['Failed sign-in as alice@acme.test', `249 failed sign-ins as alice@acme.test (${throttled.length} throttled)`]);
    expect(failures[1]).toMatchObject({
      status: 'failure',
      context: { ip: '203.0.113.50' },
      metadata: { attempts: 249, throttled: throttled.length, firstAt: expect.any(String), lastAt: expect.any(String), ips: ['203.0.113.50'] },
    });
    const [login] = await crm.events({ tenantId: 'acme', action: 'user.login', 'context.ip': '203.0.113.50' });
    expect(login!.occurredAt.getTime()).toBeGreaterThan(failures[1]!.occurredAt.getTime());
  });

  it('refuses a throttled attempt even with the right password, without signing in', async () => {
    await attempts(5, { tenant: 'globex', email: 'max@globex.test', password: 'wrong-guess' }, '203.0.113.51');
    const answer = await loginAttempt(origin, { tenant: 'globex', email: 'max@globex.test', password: DEMO_PASSWORD }, '203.0.113.51');
    expect(answer.status).toBe(429);
    expect(answer.headers.get('set-cookie')).toBeNull();
  });

  it('starts again from zero after a successful sign-in', async () => {
    await attempts(4, { tenant: 'globex', email: 'gina@globex.test', password: 'wrong-guess' }, '203.0.113.52');
    expect((await loginAttempt(origin, { tenant: 'globex', email: 'gina@globex.test', password: DEMO_PASSWORD }, '203.0.113.52')).status).toBe(200);
    const again = await attempts(5, { tenant: 'globex', email: 'gina@globex.test', password: 'wrong-guess' }, '203.0.113.52');
    expect(again.map(codeOf)).toEqual(Array(5).fill('UNAUTHORIZED'));
  });

  it('throttles an IP that tries many accounts, and leaves other IPs alone', async () => {
    const spray = [];
    for (let n = 0; n < 51; n++) spray.push(await loginAttempt(origin, { tenant: 'acme', email: `guess${n}@acme.test`, password: 'x' }, '198.51.100.77'));
    expect(spray.slice(0, 50).every((answer) => answer.status === 401)).toBe(true);
    expect(spray[50]?.status).toBe(429);
    expect((await loginAttempt(origin, { tenant: 'acme', email: 'guess0@acme.test', password: 'x' }, '198.51.100.78')).status).toBe(401);
  });

  it('throttles parallel guesses too: only five of 30 at once are checked', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => loginAttempt(origin, { tenant: 'acme', email: 'mark@acme.test', password: 'wrong-guess' }, '203.0.113.53')));
    expect(answers.filter((answer) => answer.status === 401)).toHaveLength(5);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(25);
  });
});

describe('failed sign-in counts when the CRM stops', () => {
  it('records the pending count on SIGTERM, so none is lost', async () => {
    const crmProcess = await startCrmProcess('crm_throttle_stop', { nodeEnv: 'development' });
    const answers = [];
    for (let n = 0; n < 12; n++) answers.push(await loginAttempt(crmProcess.origin, { tenant: 'acme', email: 'mark@acme.test', password: 'wrong-guess' }, '203.0.113.60'));
    const throttled = answers.filter((answer) => answer.status === 429).length;
    expect(await crmProcess.stop('SIGTERM', { keepDatabase: true })).toEqual({ code: 0, signal: null });

    const database = await crmProcess.database();
    try {
      const failures = await storedEvents(database.connection, { tenantId: 'acme', action: 'user.login_failed', 'actor.name': 'mark@acme.test' });
      expect(failures.map((event) => event.description)).toEqual(['Failed sign-in as mark@acme.test', `11 failed sign-ins as mark@acme.test (${throttled} throttled)`]);
      expect(failures[1]?.metadata).toMatchObject({ attempts: 11, throttled });
    } finally {
      await database.connection.dropDatabase();
      await database.drop();
    }
  });
});
