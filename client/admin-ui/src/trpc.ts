import { createTRPCContext } from '@trpc/tanstack-react-query';
import { createAuditLogClient, type AuditLogApiRouter, type AuditLogOutputs } from '../../index';

/**
 * The page talks to the audit log's router alone (`auditLog.*`), wherever the host serves it: the
 * demo CRM in its own app router at /trpc, a REST host through `expressRouter()` at <mount>/trpc.
 * Same origin, the host's session cookie; only types cross from the server.
 */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AuditLogApiRouter>();

export type AuditEventView = AuditLogOutputs['events']['list']['items'][number];
export type ExportView = AuditLogOutputs['exports']['byId'];
export type SignedInUser = NonNullable<AuditLogOutputs['session']['user']>;

export const createBrowserClient = (trpcUrl: string) => createAuditLogClient<AuditLogApiRouter>({ url: trpcUrl });
