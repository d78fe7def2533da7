import { randomUUID } from 'node:crypto';
import { createCursorCodec, createEventRepository, createEventsRouter, type OpenPageStreamsOptions, createReadRecorder } from './events';
import { createExportsRouter } from './exports';
import { createIntegrityRouter } from './integrity';
import { createNotificationsRouter } from './notifications';
import type { AuditServices } from './services';
import { createProcedures, router, type AuditHostContext } from './trpc';
import type { TAuditCaller } from './access';

export interface AuditLogRouterOptions<TContext extends AuditHostContext> {
  /** Signs page cursors (at least 32 characters); the same on every instance behind a load balancer. */
  cursorSecret: string;
  /** The one adapter between the host's context and the audit log: null when nobody is signed in. */
  resolveCaller: (ctx: TContext) => TAuditCaller | null | undefined | Promise<TAuditCaller | null | undefined>;
  /** Who may read the log. Default: `caller.role === 'admin'`. */
  canRead?: (caller: TAuditCaller) => boolean;
  /** For logs and the read records; default: `ctx.requestId` when it is a string, else a fresh UUID. */
  requestIdOf?: (ctx: TContext) => string | undefined;
  /** Record "audit log searched" events (default true), at most once per caller and filters per `throttleMs`. */
  recordReads?: boolean | { throttleMs: number };
  /** Open result streams that make deep paging cheap on servers without index sorts (see open-page-streams.ts); `false` turns them off. */
  pageStreams?: OpenPageStreamsOptions | false;
  /** How often an open live stream asks `resolveCaller` again (default 5 s). */
  liveRecheckMs?: number;
  /** With `pageStreams`: the server-side time limit of each read (else the services' repository's). */
  maxTimeMS?: number;
}

export const isAdmin = (caller: TAuditCaller) => caller.role === 'admin';

function defaultRequestId(ctx: AuditHostContext): string | undefined {
  const requestId = (ctx as { requestId?: unknown }).requestId;
  return typeof requestId === 'string' ? requestId : undefined;
}

/**
 * The audit log's tRPC router, ready to mount: `router({ auditLog: createAuditLogRouter(...) })`.
 * Every procedure reads the caller through `resolveCaller` and only the caller's tenant.
 */
export function createAuditLogRouter<TContext extends AuditHostContext>(services: AuditServices, options: AuditLogRouterOptions<TContext>) {
  const requestIdOf = options.requestIdOf ?? defaultRequestId;
  const { logger } = services;
  const procedures = createProcedures<TContext>({
    resolveCaller: options.resolveCaller,
    canRead: options.canRead ?? isAdmin,
    requestIdOf: (ctx) => requestIdOf(ctx) ?? randomUUID(),
    logger,
    reads: services.reads,
    sessionEnds: services.connected?.sessionEnds,
    liveRecheckMs: options.liveRecheckMs,
  });
  const recordReads = options.recordReads ?? true;
  const reads = recordReads
    ? createReadRecorder({ record: services.events.recorder.record, logger, throttleMs: recordReads === true ? undefined : recordReads.throttleMs })
    : null;
  const events =
    options.pageStreams === undefined ? services.events.repository : createEventRepository(services.db, { streams: options.pageStreams === false ? { maxOpen: 0 } : options.pageStreams, maxTimeMS: options.maxTimeMS });
  const connected = services.connected;

  return router({
    /** Who am I, may I read: what the admin page asks before anything else (sign-in itself is the host's). */
    session: procedures.sessionProcedure.query(({ ctx }) => ({
      signedIn: ctx.caller !== null,
      canRead: ctx.canRead,
      user: ctx.caller && { tenantId: ctx.caller.tenantId, id: ctx.caller.actorId, name: ctx.caller.actorName ?? ctx.caller.actorId, role: ctx.caller.role },
    })),
    events: createEventsRouter(procedures, {
      events,
      activity: services.events.activity,
      cursors: createCursorCodec(options.cursorSecret),
      catalog: services.catalog,
      reads,
      live: connected?.live,
    }),
    exports: createExportsRouter(procedures, connected?.exports.service),
    notifications: createNotificationsRouter(procedures, connected && { notifications: connected.notifications.repository, fanout: connected.notifications.fanout }),
    integrity: createIntegrityRouter(procedures, services.integrity, services.db),
  });
}

export type AuditLogRouter = ReturnType<typeof createAuditLogRouter>;

/** What the audit log's own HTTP API serves at /trpc: the router under `auditLog`, as a host that mounts it has it. */
export function createAuditLogApiRouter<TContext extends AuditHostContext>(services: AuditServices, options: AuditLogRouterOptions<TContext>) {
  return router({ auditLog: createAuditLogRouter(services, options) });
}

export type AuditLogApiRouter = ReturnType<typeof createAuditLogApiRouter>;
