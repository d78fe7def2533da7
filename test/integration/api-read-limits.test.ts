import type { TAuditCaller } from '../../server/access';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { realmSafeFetch } from '../helpers/realm-safe-fetch';

const adminA: TAuditCaller = { tenantId: 'tenant-a', actorId: 'admin-a', role: 'admin' };

let stack: AuditStack;

beforeAll(async () => {
  stack = await startAuditStack('read-limits');
});

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
