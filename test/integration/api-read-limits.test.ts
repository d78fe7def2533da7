import { floodSearches } from '../../bench/lib/tenant-flood';
import type { TAuditCaller } from '../../server/access';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { realmSafeFetch } from '../helpers/realm-safe-fetch';
import { makeSeedEvent } from '../helpers/seed-events';

const adminA: TAuditCaller = { tenantId: 'tenant-a', actorId: 'admin-a', role: 'admin' };
const adminB: TAuditCaller = { tenantId: 'tenant-b', actorId: 'admin-b', role: 'admin' };
const adminC: TAuditCaller = { tenantId: 'tenant-c', actorId: 'admin-c', role: 'admin' };
/** Small, so that a few clients fill tenant A's share and queue at once; two heavy reads (searches) per tenant, four in all. */
const READ_LIMITS = { perTenant: 2, total: 8, queuedPerTenant: 2, maxWaitMs: 300, retryAfterMs: 1_000, heavyPerTenant: 2, heavyTotal: 4 };

let stack: AuditStack;

beforeAll(async () => {
  stack = await startAuditStack('read-limits', { readLimits: READ_LIMITS, recordReads: false });
  const newest = Date.parse('2026-06-30T12:00:00Z');
  await stack.seed(Array.from({ length: 2_000 }, (_, n) => makeSeedEvent('tenant-a', n, new Date(newest - n * 1_000), ['record.updated', 'record.created'])));
  await stack.seed(Array.from({ length: 50 }, (_, n) => makeSeedEvent('tenant-b', n, new Date(newest - n * 1_000), ['record.updated'])));
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

/** One GET batching `calls` calls of `auditLog.events.actions`, as httpBatchLink sends them. */
async function batchOf(calls: number) {
  const paths = Array.from({ length: calls }, () => 'auditLog.events.actions').join(',');
  const input = encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: calls }, (_, index) => [index, {}]))));
  const response = await realmSafeFetch(`${stack.url}/${paths}?batch=1&input=${input}`, { headers: { authorization: `Bearer ${stack.tokenFor(adminA)}` } });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('batched requests to the standalone API', () => {
  it('answers a batch of 10 calls', async () => {
    const answer = await batchOf(10);
    expect(answer.status).toBe(200);
    expect(answer.body).toHaveLength(10);
  });

  it('refuses a batch of 11 calls with 400 BAD_REQUEST before running any', async () => {
    const answer = await batchOf(11);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain('Batch call exceeds maximum size');
    expect(JSON.stringify(answer.body)).toContain('BAD_REQUEST');
  });

  it('lets the package client send 30 calls at once, split into batches the server takes', async () => {
    const client = stack.client(adminA);
    const answers = await Promise.all(Array.from({ length: 30 }, () => client.auditLog.events.actions.query()));
    expect(answers).toHaveLength(30);
    expect(answers.every((actions) => actions.length > 0)).toBe(true);
  });
});

describe('fair reads between tenants', () => {
  it("serves tenant B's one-row pages without queueing while tenant A's batched searches are refused beyond its share", async () => {
    const reads = stack.services.reads;
    const flood = floodSearches({ url: stack.url, token: stack.tokenFor(adminA), clients: 4, batch: 5, search: (n) => ({ search: `e${n % 10}`, limit: 50 }) });
    try {
      const deadline = Date.now() + 60_000;
      while (reads.statsOf('tenant-a').refused === 0) {
        if (Date.now() > deadline) throw new Error("tenant A's load never went past its share");
        await new Promise((done) => setTimeout(done, 50));
      }
      const client = stack.client(adminB);
      const started = Date.now();
      for (let n = 0; n < 5; n++) expect((await client.auditLog.events.list.query({ limit: 1 })).items).toHaveLength(1);
      process.stdout.write(`tenant B: 5 one-row pages in ${Date.now() - started} ms under tenant A's load\n`);
      expect(reads.statsOf('tenant-b')).toMatchObject({ waited: 0, refused: 0 });
      expect(reads.statsOf('tenant-a').peakRunning).toBe(READ_LIMITS.perTenant);
    } finally {
      const outcome = await flood.stop();
      expect(outcome.tooManyRequests).toBeGreaterThan(0);
      expect(outcome.answered).toBeGreaterThan(0);
      expect(outcome.otherErrors).toBe(0);
      expect(new Set(outcome.retryAfter)).toEqual(new Set(['1']));
    }
  }, 120_000);

  it("admits tenant B's one-row page at once while other tenants' searches hold every heavy slot, and queues B's search", async () => {
    const reads = stack.services.reads;
    // Two other tenants at their heavy share each (held here, as their searches would): heavyTotal (4)
    // is reached, and 4 of the 8 slots stay for light reads.
    const held = await Promise.all(['tenant-x', 'tenant-x', 'tenant-y', 'tenant-y'].map((tenantId) => reads.acquire(tenantId, undefined, 'heavy')));
    try {
      const before = { ...reads.statsOf('tenant-b') };
      const client = stack.client(adminB);
      const search = client.auditLog.events.list.query({ search: 'e1', limit: 5 }).catch((error: unknown) => error);
      const deadline = Date.now() + 10_000;
      while (reads.statsOf('tenant-b').queued === 0) {
        if (Date.now() > deadline) throw new Error("tenant B's search never queued");
        await new Promise((done) => setTimeout(done, 5));
      }
      const page = await client.auditLog.events.list.query({ limit: 1 });
      expect(page.items).toHaveLength(1);
      // Only the search waited (and, with the heavy slots held past maxWaitMs, was refused); the page never queued.
      expect(await search).toMatchObject({ data: { code: 'TOO_MANY_REQUESTS' } });
      expect(reads.statsOf('tenant-b')).toMatchObject({ waited: before.waited + 1, refused: before.refused + 1 });
    } finally {
      held.forEach((free) => free());
    }
  });

  it('answers a refused read with TOO_MANY_REQUESTS, a message saying when to retry, and Retry-After', async () => {
    // Tenant C's share, held here: its next read waits maxWaitMs, then is refused.
    const release = await Promise.all(Array.from({ length: READ_LIMITS.perTenant }, () => stack.services.reads.acquire('tenant-c')));
    try {
      const input = encodeURIComponent(JSON.stringify({ json: { limit: 1 } }));
      const response = await realmSafeFetch(`${stack.url}/auditLog.events.list?input=${input}`, { headers: { authorization: `Bearer ${stack.tokenFor(adminC)}` } });
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('1');
      const body = (await response.json()) as { error: { json: { message: string; data: { code: string; retryAfterMs: number } } } };
      expect(body.error.json.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAfterMs: 1_000 });
      expect(body.error.json.message).toMatch(/^Too many audit-log reads at once for this tenant .*retry in 1 s$/);
    } finally {
      release.forEach((free) => free());
    }
  });
});

describe('database work of a read whose client goes away', () => {
  const search = { search: 'text no event has', limit: 50 };
  const get = (signal?: AbortSignal) =>
    realmSafeFetch(`${stack.url}/auditLog.events.list?input=${encodeURIComponent(JSON.stringify({ json: search }))}`, { headers: { authorization: `Bearer ${stack.tokenFor(adminA)}` }, signal });

  it('stops when the request is aborted: its read slot is free while the same search, not aborted, still runs', async () => {
    const reads = stack.services.reads;
    const deadline = Date.now() + 30_000;
    const idleUntil = async (running: number, what: string) => {
      while (reads.statsOf('tenant-a').running !== running) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((done) => setTimeout(done, 10));
      }
    };
    await idleUntil(0, 'earlier reads to finish');
    const leaving = new AbortController();
    const aborted = get(leaving.signal).catch((error: unknown) => error);
    let kept: 'running' | number = 'running';
    const keptAnswer = get().then((response) => (kept = response.status));
    await idleUntil(2, 'both searches to start');
    leaving.abort();
    await idleUntil(1, "the aborted search's slot to come free");
    expect(kept).toBe('running');
    expect(await aborted).toMatchObject({ name: 'AbortError' });
    await keptAnswer;
    expect(kept).toBe(200);
  }, 60_000);
});

describe('the read time limit', () => {
  let limited: AuditStack;

  beforeAll(async () => {
    limited = await startAuditStack('read-time-limit', { readLimits: { maxTimeMS: 1 }, recordReads: false });
    const newest = Date.parse('2026-06-30T12:00:00Z');
    await limited.seed(Array.from({ length: 2_000 }, (_, n) => makeSeedEvent('tenant-a', n, new Date(newest - n * 1_000), ['record.updated'])));
  }, 120_000);

  afterAll(async () => {
    await limited?.close();
  });

  it('stops a search the database cannot answer within maxTimeMS and answers TIMEOUT saying how to narrow it', async () => {
    const error = await limited.client(adminA).auditLog.events.list.query({ search: 'text no event has', limit: 50 }).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ data: { code: 'TIMEOUT', httpStatus: 408 }, message: expect.stringContaining('narrow it') });
  });

  it('stops facets over all of a tenant’s events the same way', async () => {
    const error = await limited.client(adminA).auditLog.events.facets.query({}).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ data: { code: 'TIMEOUT' } });
  });
});
