import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSigningKey, parsePublicKeyFile, verifyCheckpointChain } from '../../server/integrity';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { makeEvent } from '../helpers/test-events';

/**
 * Checkpoints delivered to the tenant's signed webhook: a receiver that checks the signature the way
 * a tenant's endpoint would and keeps the entries as its own chain, which verifies with the public
 * key alone, each step append-only.
 */
const KEY = generateSigningKey('webhook-2026');
const SECRET = 'checkpoint-webhook-secret-0123';
const TENANT = 'tenant-hook';

describe('checkpoints published to the tenant\u2019s webhook', () => {
  let receiver: Server;
  let stack: AuditStack;
  const received: { tenantId: string; entry: unknown; signatureValid: boolean }[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const timestamp = String(req.headers['x-audit-timestamp'] ?? '');
        const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`);
        const given = Buffer.from(String(req.headers['x-audit-signature'] ?? ''));
        const parsed = JSON.parse(body) as { kind: string; tenantId: string; entry: unknown };
        received.push({ tenantId: parsed.tenantId, entry: parsed.entry, signatureValid: expected.length === given.length && timingSafeEqual(expected, given) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((ready) => receiver.listen(0, '127.0.0.1', () => ready()));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/checkpoints`;
    stack = await startAuditStack('integrity_webhook', {
      integrity: { signingKey: KEY.signerKey, seal: false, publish: { webhook: (tenantId) => (tenantId === TENANT ? { url, secret: SECRET } : undefined) } },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    receiver?.close();
  });

  it('delivers each new checkpoint, signed, as the next entry of a chain the tenant can verify', async () => {
    const start = Date.parse('2026-11-25T08:00:00Z');
    for (const round of [0, 1, 2]) {
      await stack.seed(Array.from({ length: 5 }, (_, i) => makeEvent({ tenantId: TENANT, occurredAt: new Date(start + (round * 5 + i) * 1_000) })));
      await stack.services.integrity.sealer.checkpointNow(TENANT);
      const deadline = Date.now() + 30_000;
      while (received.length < round + 1) {
        if (Date.now() > deadline) throw new Error(`checkpoint ${round + 1} was not delivered`);
        await new Promise((done) => setTimeout(done, 100));
      }
    }
    expect(received.map(({ tenantId, signatureValid }) => ({ tenantId, signatureValid }))).toEqual(Array(3).fill({ tenantId: TENANT, signatureValid: true }));
    const verdict = verifyCheckpointChain(received.map(({ entry }) => entry), parsePublicKeyFile(KEY.verifierKey));
    expect(verdict).toMatchObject({ ok: true, entries: 3, latest: { size: 15 } });
  });
});
