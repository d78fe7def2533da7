import { createAuditLogClient } from '../client';

/**
 * The README's client example, run as a test (test/integration/api-client-usage.test.ts).
 * In an app: `import { createAuditLogClient } from 'crm-audit-log/client'`.
 */
export async function showRecentDeletions(url: string, token: string) {
  const audit = createAuditLogClient({
    url, // the standalone API's /trpc, or your own app's tRPC endpoint
    headers: () => ({ authorization: `Bearer ${token}` }),
  });

  // Newest first; every filter is optional. Dates arrive as Date objects.
  const filters = { actions: ['record.deleted'], from: new Date(Date.now() - 7 * 24 * 3600 * 1000) };
  const firstPage = await audit.auditLog.events.list.query({ ...filters, limit: 20 });
  for (const event of firstPage.items) {
    console.log(event.occurredAt.toISOString(), event.actor.name ?? event.actor.id, event.description);
  }

  // The next (older) page: the opaque cursor, with the same filters.
  const secondPage = firstPage.nextCursor ? await audit.auditLog.events.list.query({ ...filters, limit: 20, cursor: firstPage.nextCursor }) : null;

  // Counts for filter menus, and one event in full.
  const { actors } = await audit.auditLog.events.facets.query(filters);
  const detail = firstPage.items[0] ? await audit.auditLog.events.byId.query({ id: firstPage.items[0].id }) : null;
  return { firstPage, secondPage, actors, detail };
}
