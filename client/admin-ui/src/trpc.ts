import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { inferRouterOutputs } from '@trpc/server';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import superjson from 'superjson';
import type { AppRouter } from '../../../examples/crm/app-router';

/**
 * The UI talks to the host's own tRPC endpoint (same origin, cookie session), typed with the host's
 * router, in which the audit log is mounted as `auditLog`. Only the type crosses from the server.
 */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type AuditEventView = RouterOutputs['auditLog']['events']['list']['items'][number];
export type ExportView = RouterOutputs['auditLog']['exports']['byId'];
export type NotificationView = RouterOutputs['auditLog']['notifications']['list']['items'][number];
export type SignedInUser = NonNullable<RouterOutputs['auth']['me']['user']>;

export function createBrowserClient(endpoint = '/trpc') {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === 'subscription',
        // Server-sent events; the browser sends the session cookie and reconnects by itself.
        true: httpSubscriptionLink({ url: endpoint, transformer: superjson, eventSourceOptions: { withCredentials: true } }),
        false: httpBatchLink({ url: endpoint, transformer: superjson }),
      }),
    ],
  });
}
