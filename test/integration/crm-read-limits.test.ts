import { startTestCrm, type TestCrm } from '../fixtures/crm-harness';
import { realmSafeFetch } from '../helpers/realm-safe-fetch';

let crm: TestCrm;

beforeAll(async () => {
  crm = await startTestCrm('crm_read_limits');
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
