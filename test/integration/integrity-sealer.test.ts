import { generateSigningKey } from '../../server/integrity';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { admin, makeEvent } from '../helpers/test-events';

/**
 * The sealer on the test database itself (FerretDB v1 here: no transactions, and an update command
 * of about 100 statements or more deadlocks the whole server), with its background pass running.
 */
const KEY = generateSigningKey('sealer-2026');
let stack: AuditStack;

beforeAll(async () => {
  stack = await startAuditStack('integrity-sealer', { integrity: { signingKey: KEY.signerKey, sealer: { pollIntervalMs: 50 } } });
}, 120_000);
afterAll(async () => stack?.close());

async function storeUnsealed(tenantId: string, count: number): Promise<void> {
  const start = Date.parse('2026-11-01T10:00:00Z');
  await stack.seed(Array.from({ length: count }, (_, i) => makeEvent({ tenantId, occurredAt: new Date(start + i * 1_000), description: `Event ${i}` })));
}

it('seals a batch of several hundred events in one pass and the tree verifies', async () => {
  await storeUnsealed('sealer-large-batch', 600);
  const checkpoint = await stack.services.integrity.sealer.checkpointNow('sealer-large-batch');
  expect(checkpoint).toMatchObject({ size: 600 });
  expect(await stack.client(admin('sealer-large-batch')).auditLog.integrity.verify.query()).toMatchObject({ ok: true, eventsChecked: 600 });
}, 120_000);

it('checkpointNow waits for the background pass of the same process instead of sealing beside it', async () => {
  const { sealer } = stack.services.integrity;
  const lostBefore = sealer.metrics().lostLeases;
  await storeUnsealed('sealer-beside-background', 300);
  // Several callers at once, while the background pass (every 50 ms) takes the same tenant.
  const checkpoints = await Promise.all([sealer.checkpointNow('sealer-beside-background'), sealer.checkpointNow('sealer-beside-background'), sealer.checkpointNow('sealer-beside-background')]);
  expect(checkpoints.map((checkpoint) => checkpoint?.size)).toEqual([300, 300, 300]);
  // Two passes under one owner's lease would both seal the batch; one of them would lose its commit.
  expect(sealer.metrics().lostLeases).toBe(lostBefore);
  expect(await stack.client(admin('sealer-beside-background')).auditLog.integrity.verify.query()).toMatchObject({ ok: true, eventsChecked: 300 });
}, 120_000);
