import { startEmbeddedMongo, type EmbeddedMongo } from '../../server/db/embedded-mongo';
import { startCrmProcess, type CrmProcess } from '../fixtures/crm-process';
import { send, signInCookie, type RawAnswer } from '../fixtures/crm-http';

/**
 * `npm start` in development and in production, on a database of this suite's own, which the last
 * test stops: every error answer is JSON with the request id, in both modes, never a stack trace.
 */
const MODES = ['development', 'production'] as const;
let database: EmbeddedMongo;
const crms = new Map<(typeof MODES)[number], CrmProcess>();

beforeAll(async () => {
  database = await startEmbeddedMongo({ preferFerret: process.env.AUDIT_TEST_MONGODB_KIND === 'ferretdb' });
  await Promise.all(MODES.map(async (nodeEnv) => crms.set(nodeEnv, await startCrmProcess(`crm_errors_${nodeEnv}`, { nodeEnv, mongoUri: database.uri }))));
});

afterAll(async () => {
  // SIGKILL: with the database gone, a graceful stop would wait for the audit log to drain. The database goes with the server.
  await Promise.all([...crms.values()].map((crm) => crm.stop('SIGKILL', { keepDatabase: true })));
  await database?.dispose();
});

function expectCleanJsonError(answer: RawAnswer, status: number, message: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.json).toEqual({ error: message, requestId: answer.headers.get('x-request-id') });
  expect(answer.text).not.toMatch(/\bat \S+ \(|stack|\.ts:\d+|node_modules|Mongo|ECONNREFUSED|URIError|<html|<pre/i);
}

describe.each(MODES)('error answers of the demo CRM with NODE_ENV=%s', (nodeEnv) => {
  it('answers a malformed URL with a JSON 400', async () => {
    const crm = crms.get(nodeEnv)!;
    expectCleanJsonError(await send(`${crm.origin}/audit-log/exports/%E0%A4%A/download`), 400, 'Bad Request');
  });

  it('answers an unknown route with a JSON 404', async () => {
    const crm = crms.get(nodeEnv)!;
    expectCleanJsonError(await send(`${crm.origin}/no-such-page`), 404, 'Not Found');
  });

  it('answers a malformed tRPC body with a JSON error and no stack', async () => {
    const crm = crms.get(nodeEnv)!;
    const answer = await send(`${crm.origin}/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"json": {' });
    expect(answer.status).toBe(400);
    expect(answer.text).not.toMatch(/stack|\.ts:\d+|node_modules/);
  });
});

describe('while MongoDB is down', () => {
  it('answers with a JSON 500 without internals in both modes, and logs the cause with the request id', async () => {
    const cookies = await Promise.all(MODES.map((nodeEnv) => signInCookie(crms.get(nodeEnv)!.origin, 'acme', 'mark@acme.test')));
    await database.stop();
    const answers = await Promise.all(MODES.map((nodeEnv, n) => send(`${crms.get(nodeEnv)!.origin}/trpc/auth.me`, { headers: { cookie: cookies[n]! } })));
    for (const [n, answer] of answers.entries()) {
      expectCleanJsonError(answer, 500, 'Internal server error');
      const logged = crms.get(MODES[n]!)!.output();
      expect(logged).toContain(answer.headers.get('x-request-id'));
      expect(logged).toMatch(/request failed/);
    }
  });
});
