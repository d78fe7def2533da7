import { createAuditLogClient } from '../../client';
import { realmSafeFetch } from '../helpers/realm-safe-fetch';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';

const admin = { tenantId: 'tenant-sub', actorId: 'admin-sub', actorName: 'Sub Admin', role: 'admin' };

describe('the typed client’s subscriptions', () => {
  let stack: AuditStack;

  beforeAll(async () => {
    stack = await startAuditStack('client_sub');
  });
  afterAll(() => stack?.close());

  it('streams events.live with the bearer token, out of the box', async () => {
    const client = createAuditLogClient({ url: `${stack.origin}/trpc`, fetch: realmSafeFetch, headers: () => ({ authorization: `Bearer ${stack.tokenFor(admin)}` }) });
    const received: Array<{ description: string; occurredAt: Date }> = [];
    const subscription = client.auditLog.events.live.subscribe({}, { onData: (event) => received.push(event) });
    try {
      const deadline = Date.now() + 10_000;
      while (received.length === 0 && Date.now() < deadline) {
        stack.audit.record({ tenantId: admin.tenantId, actor: { id: 'u1' }, action: 'record.viewed', description: 'Seen live' });
        await new Promise((done) => setTimeout(done, 300));
      }
      expect(received[0]?.description).toBe('Seen live');
      expect(received[0]?.occurredAt).toBeInstanceOf(Date);
    } finally {
      subscription.unsubscribe();
    }
  });
});
