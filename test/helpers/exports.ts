import type { AuditStack } from './audit-stack';
import type { TAuditCaller } from '../../server/access';

type Client = ReturnType<AuditStack['client']>;
export type ExportView = Awaited<ReturnType<Client['auditLog']['exports']['byId']['query']>>;

/** Polls an export until it reaches one of `statuses` (tests only; the UI uses the notification). */
export async function waitForExport(client: Client, id: string, statuses: string[] = ['completed'], timeoutMs = 300_000): Promise<ExportView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await client.auditLog.exports.byId.query({ id });
    if (statuses.includes(view.status)) return view;
    if (['failed', 'cancelled', 'completed'].includes(view.status)) throw new Error(`export ${id} ended ${view.status}, expected ${statuses.join('/')}: ${view.failureReason ?? ''}`);
    if (Date.now() > deadline) throw new Error(`export ${id} still ${view.status} after ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

export async function download(stack: AuditStack, url: string, caller?: TAuditCaller): Promise<Response> {
  return fetch(new URL(url, stack.origin), { headers: caller ? { authorization: `Bearer ${stack.tokenFor(caller)}` } : {} });
}
