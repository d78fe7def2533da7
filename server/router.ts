import { randomUUID } from 'node:crypto';
import type { AuditLog } from './audit-log';
import { createCursorCodec } from './events/event-cursor';
import { createEventRepository } from './events/event.repository';
import { createEventsRouter } from './events/events.router';
import type { OpenPageStreamsOptions } from './events/open-page-streams';
import { createReadRecorder } from './events/read-recorder';
import { createExportsRouter } from './exports/exports.router';
import { createNotificationsRouter } from './notifications/notifications.router';
import type { Services } from './services';
import { createProcedures, router, type AuditHostContext, type TAuditCaller } from './trpc';

export interface CreateAuditLogRouterOptions<TContext extends AuditHostContext> {
  /** From `createAuditLog()`: its connection is read, its recorder logs the reads, its catalog labels actions. */
  audit: AuditLog;
  /** Signs page cursors (at least 32 characters); the same on every instance behind a load balancer. */
  cursorSecret: string;
  /** The one adapter between the host's context and the audit log: null when nobody is signed in. */
  resolveCaller: (ctx: TContext) => TAuditCaller | null | undefined;
  /** Who may read the log. Default: `caller.role === 'admin'`. */
  canRead?: (caller: TAuditCaller) => boolean;
  /** For logs and the read records; default: `ctx.requestId` when it is a string, else a fresh UUID. */
  requestIdOf?: (ctx: TContext) => string | undefined;
  /** Record "audit log searched" events (default true), at most once per caller and filters per `throttleMs`. */
  recordReads?: boolean | { throttleMs: number };
  /** Open result streams that make deep paging cheap on servers without index sorts (see open-page-streams.ts); `false` turns them off. */
  pageStreams?: OpenPageStreamsOptions | false;
  /** From `createServices()`: enables `exports.*` and `notifications.*` (without it they answer PRECONDITION_FAILED). */
  services?: Services;
}

const isAdmin = (caller: TAuditCaller) => caller.role === 'admin';

function defaultRequestId(ctx: AuditHostContext): string | undefined {
  const requestId = (ctx as { requestId?: unknown }).requestId;
  return typeof requestId === 'string' ? requestId : undefined;
}

/**
 * The audit log's tRPC router, ready to mount: `router({ auditLog: createAuditLogRouter({...}) })`.
 * Every procedure reads the caller through `resolveCaller` and only the caller's tenant.
 */
export function createAuditLogRouter<TContext extends AuditHostContext>(options: CreateAuditLogRouterOptions<TContext>) {
  const requestIdOf = options.requestIdOf ?? defaultRequestId;
  const procedures = createProcedures<TContext>({
    resolveCaller: options.resolveCaller,
    canRead: options.canRead ?? isAdmin,
    requestIdOf: (ctx) => requestIdOf(ctx) ?? randomUUID(),
    logger: options.audit.logger,
  });
  const recordReads = options.recordReads ?? true;
  const reads = recordReads
    ? createReadRecorder({ audit: options.audit, logger: options.audit.logger, throttleMs: recordReads === true ? undefined : recordReads.throttleMs })
    : null;

  return router({
    events: createEventsRouter(procedures, {
      events: createEventRepository(options.audit.connection, { streams: options.pageStreams === false ? { maxOpen: 0 } : options.pageStreams }),
      cursors: createCursorCodec(options.cursorSecret),
      catalog: options.audit.catalog,
      reads,
      live: options.services?.liveEvents,
    }),
    exports: createExportsRouter(procedures, options.services?.exports.service),
    notifications: createNotificationsRouter(
      procedures,
      options.services && { notifications: options.services.notifications.repository, fanout: options.services.notifications.fanout },
    ),
  });
}

export type AuditLogRouter = ReturnType<typeof createAuditLogRouter>;

/** What the standalone server serves at /trpc, and the shape a host gets when it mounts the router as `auditLog`. */
export function createAuditLogApiRouter<TContext extends AuditHostContext>(options: CreateAuditLogRouterOptions<TContext>) {
  return router({ auditLog: createAuditLogRouter(options) });
}

export type AuditLogApiRouter = ReturnType<typeof createAuditLogApiRouter>;
