import { createServer } from 'node:http';
import { TRPCClientError } from '@trpc/client';
import pino from 'pino';
import { createAuditLogClient } from '../../client';
import { createApp } from '../../server/app';
import type { AuditServer } from '../../server/audit-server';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { admin } from '../helpers/test-events';
import { realmSafeFetch } from '../helpers/realm-safe-fetch';
import { openTestAuditServer } from '../helpers/audit-stack';
import { listenOnFreePort, type ListeningServer } from '../helpers/http-server';

describe('the standalone API server', () => {
  let api: AuditStack;

  beforeAll(async () => {
    api = await startAuditStack('api_server', { recordReads: false, corsOrigins: ['https://crm.example.com'] });
  });
  afterAll(() => api.close());

  it('answers /healthz without touching the databases', async () => {
    const response = await fetch(`${api.origin}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 when MongoDB and Redis are reachable', async () => {
    const response = await fetch(`${api.origin}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready', checks: { mongodb: 'ok', redis: 'ok' }, durability: 'durable' });
  });

  it('names in /readyz that Redis does not persist (the test Redis), without failing readiness', async () => {
    let body: { status?: string; redisPersistence?: string } = {};
    for (let attempt = 0; attempt < 100 && body.redisPersistence !== 'none'; attempt++) {
      body = (await (await fetch(`${api.origin}/readyz`)).json()) as typeof body;
      if (body.redisPersistence !== 'none') await new Promise((done) => setTimeout(done, 100));
    }
    expect(body).toMatchObject({ status: 'ready', redisPersistence: 'none' });
  });

  it('sends security headers and no X-Powered-By', async () => {
    const response = await fetch(`${api.origin}/healthz`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age/);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('allows CORS from configured origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${api.url}/auditLog.events.list`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    const allowed = await preflight('https://crm.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://crm.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const refused = await preflight('https://evil.example.com');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps a sane X-Request-Id from the caller and replaces an unsafe one', async () => {
    const kept = await fetch(`${api.origin}/healthz`, { headers: { 'x-request-id': 'req-123' } });
    expect(kept.headers.get('x-request-id')).toBe('req-123');
    const replaced = await fetch(`${api.origin}/healthz`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a request body over the limit with 413', async () => {
    const response = await fetch(`${api.url}/auditLog.events.list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.tokenFor(admin('tenant-a'))}` },
      body: JSON.stringify({ json: { search: 'x'.repeat(200_000) } }),
    });
    expect(response.status).toBe(413);
  });

  it('answers unknown paths with a JSON 404', async () => {
    const response = await fetch(`${api.origin}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'Not found' });
  });
});

describe('unexpected errors', () => {
  let api: AuditStack;
  let failing: AuditServer;
  let listening: ListeningServer;
  let url: string;
  const logged: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    api = await startAuditStack('api_errors', { recordReads: false });
    const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
    failing = await openTestAuditServer(api.mongo, api.redis, logger, {
      resolveActor: () => {
        throw new Error('db password is hunter2');
      },
    });
    const app = createApp({ server: failing, logger, corsOrigins: [], bodyLimitBytes: 10_000, readiness: { mongo: api.mongo.connection } });
    listening = await listenOnFreePort(app);
    url = `${listening.origin}/trpc`;
  });
  afterAll(async () => {
    await listening.close();
    await failing.close();
    await api.close();
  });

  it('reach the client as INTERNAL_SERVER_ERROR without internals, and the log with the request id', async () => {
    const client = createAuditLogClient({ url, fetch: realmSafeFetch, headers: () => ({ 'x-request-id': 'req-boom' }) });
    const failure = await client.auditLog.events.list.query({}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TRPCClientError);
    const clientError = failure as TRPCClientError<never>;
    expect(clientError.message).toBe('Internal server error');
    expect(JSON.stringify({ message: clientError.message, data: clientError.data, shape: clientError.shape })).not.toMatch(/hunter2|stack/);
    expect((clientError.data as unknown as { code: string }).code).toBe('INTERNAL_SERVER_ERROR');
    expect(logged).toContainEqual(expect.objectContaining({ requestId: 'req-boom', err: expect.objectContaining({ message: 'db password is hunter2' }) }));
  });
});

describe('the standalone API server while it stops', () => {
  it('answers /readyz with 503 once close() has begun, and lets a request in flight on the host server finish first', async () => {
    const api = await startAuditStack('api_stopping', { recordReads: false });
    const logger = pino({ level: 'silent' });
    const stopping = await openTestAuditServer(api.mongo, api.redis, logger);
    const probe = await listenOnFreePort(createApp({ server: stopping, logger, corsOrigins: [], bodyLimitBytes: 10_000, readiness: { mongo: api.mongo.connection } }));
    // The host's own server, with one request that answers only when told.
    let answerSlow: (() => void) | undefined;
    const slowArrived = new Promise<void>((arrived) => {
      void listenOnFreePort(
        createServer((_req, res) => {
          answerSlow = () => res.end('finished');
          arrived();
        }),
      ).then((host) => (hostServer = host));
    });
    let hostServer: ListeningServer | undefined;
    while (!hostServer) await new Promise((done) => setTimeout(done, 10));
    try {
      expect((await fetch(`${probe.origin}/readyz`)).status).toBe(200);
      const slow = fetch(`${hostServer.origin}/slow`);
      await slowArrived;
      const closed = stopping.close({ httpServer: hostServer.server, drainMs: 30_000 });
      const readyz = await fetch(`${probe.origin}/readyz`);
      expect(readyz.status).toBe(503);
      expect(await readyz.json()).toMatchObject({ status: 'stopping' });
      answerSlow!();
      expect(await (await slow).text()).toBe('finished');
      await closed;
      await expect(fetch(`${hostServer.origin}/slow`)).rejects.toThrow();
    } finally {
      await probe.close();
      await api.close();
    }
  }, 60_000);
});
