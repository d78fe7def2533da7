import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type HTTPHeaders, type TRPCClient, type TRPCLink } from '@trpc/client';
import type { AnyRouter, inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import superjson from 'superjson';
import type { AuditLogApiRouter, AuditLogRouter } from '../server/router';
import { FetchEventSource } from './fetch-event-source';

/**
 * The typed audit-log client, for browsers and Node (it needs a global `fetch`, Node ≥ 18), with
 * subscriptions (`events.live`, `notifications.live`) over server-sent events out of the box.
 * Only types come from the server. By default it is typed for the standalone API (`/trpc`, the
 * router under `auditLog`); a host that mounts the router in its own app router passes its type:
 * `createAuditLogClient<AppRouter>({ url: '/trpc' })`.
 */
export interface AuditLogClientOptions {
  /** The tRPC endpoint, e.g. `https://audit.example.com/trpc` or `/trpc` in a browser. */
  url: string;
  /** Called before every batch and every subscription: a bearer token, a CSRF header, cookies in Node. */
  headers?: () => HTTPHeaders | Promise<HTTPHeaders>;
  /** `include` sends the browser's cookies cross-origin (session-cookie hosts). Default `same-origin`. */
  credentials?: 'omit' | 'same-origin' | 'include';
  /** Another fetch (tests, older runtimes, a proxy-aware agent). */
  fetch?: typeof fetch;
  /**
   * Split batches whose GET URL would be longer (e.g. 8,000 behind a proxy with a short URL limit).
   * Default: no limit, so the server, not the client, judges an oversized input.
   */
  maxURLLength?: number;
}

export function createAuditLogClient<TRouter extends AnyRouter = AuditLogApiRouter>(options: AuditLogClientOptions): TRPCClient<TRouter> {
  const baseFetch = options.fetch ?? globalThis.fetch;
  const credentials = options.credentials ?? 'same-origin';
  // Built for the API router, whose transformer is superjson; any router mounted with superjson shares the wire format.
  const headers = async (): Promise<Record<string, string>> => {
    const given = (await options.headers?.()) ?? {};
    // tRPC's HTTPHeaders may hold arrays; an event stream request takes one value per header.
    return Object.fromEntries(Object.entries(given).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value ?? '')]));
  };
  const link = splitLink({
    condition: (operation) => operation.type === 'subscription',
    // Our fetch-based EventSource: it sends the same headers as every other call (a bearer token too).
    true: httpSubscriptionLink<AuditLogApiRouter, typeof FetchEventSource>({
      url: options.url,
      transformer: superjson,
      EventSource: FetchEventSource,
      eventSourceOptions: async () => ({ headers: await headers(), credentials, fetch: baseFetch }),
    }),
    false: httpBatchLink<AuditLogApiRouter>({
      url: options.url,
      transformer: superjson,
      maxURLLength: options.maxURLLength,
      // The server refuses larger batches (AUDIT_MAX_BATCH_SIZE); more calls at once go as several requests.
      maxItems: 10,
      headers: options.headers ?? (() => ({})),
      fetch: (input, init) => baseFetch(input, { ...(init as RequestInit), credentials }),
    }),
  }) as unknown as TRPCLink<TRouter>;
  return createTRPCClient<TRouter>({ links: [link] });
}

export type { AuditLogApiRouter, AuditLogRouter };
/** Inputs and outputs of every procedure, e.g. `AuditLogOutputs['events']['list']['items'][number]`. */
export type AuditLogInputs = inferRouterInputs<AuditLogRouter>;
export type AuditLogOutputs = inferRouterOutputs<AuditLogRouter>;
export type AuditEvent = AuditLogOutputs['events']['list']['items'][number];
export type { TAuditCaller as AuditCaller } from '../server/access';
export type { TListEventsRequest as EventListRequest, TEventFiltersInput as EventFilters } from '../server/events';
