import { initTRPC, TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import type { Logger } from 'pino';
import superjson from 'superjson';
import { ZAuditCaller, type TAuditCaller } from './access';
import { readableIssues, zodErrorOf, zodIssuesOf } from './common/zod-issues';
import { AuditLogError, type AuditErrorCode } from './errors';
import { watchLiveCaller, type LiveCallerWatch, type SessionEnds } from './live';
import { readCostOf, type TenantReadLimiter } from './read-limits';

/**
 * The audit log's tRPC instance. Its context is whatever the host's is: the router reads the
 * caller from it through one adapter (`resolveCaller`), so it mounts into any host app router.
 */
export type AuditHostContext = object;

/** The one map from the audit log's error codes to tRPC's, applied in `toClientError`. */
export const TRPC_CODE_OF: Record<AuditErrorCode, TRPC_ERROR_CODE_KEY> = {
  AUDIT_EVENT_INVALID: 'INTERNAL_SERVER_ERROR',
  AUDIT_LOG_OVERLOADED: 'SERVICE_UNAVAILABLE',
  AUDIT_LOG_CLOSED: 'SERVICE_UNAVAILABLE',
  INVALID_CURSOR: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  NOT_CONFIGURED: 'PRECONDITION_FAILED',
  TOO_MANY_READS: 'TOO_MANY_REQUESTS',
  EXPORT_LIMIT_REACHED: 'TOO_MANY_REQUESTS',
  READ_TIMED_OUT: 'TIMEOUT',
};

const t = initTRPC.context<AuditHostContext>().create({
  transformer: superjson,
  // Stack traces never reach clients, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error }) {
    const message = error.code === 'INTERNAL_SERVER_ERROR' ? 'Internal server error' : shape.message;
    const retryAfterMs = error.cause instanceof AuditLogError ? error.cause.retryAfterMs : undefined;
    return { ...shape, message, data: { ...shape.data, zodError: zodErrorOf(error.cause), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) } };
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

/**
 * The one place domain and unknown errors become client errors: an AuditLogError by its code (a
 * server-side one, such as an invalid event the audit log built itself, is logged like any bug).
 * Input validation keeps its issues (as `cause`, for the formatter) but gets a readable message;
 * anything unexpected is logged with the request id and reaches the client as
 * INTERNAL_SERVER_ERROR without internals.
 */
export function toClientError(error: TRPCError, log: { logger: Logger; requestId: string; path: string }): TRPCError {
  const cause = error.cause;
  if (cause instanceof AuditLogError && TRPC_CODE_OF[cause.code] !== 'INTERNAL_SERVER_ERROR') {
    return new TRPCError({ code: TRPC_CODE_OF[cause.code], message: cause.message, cause });
  }
  // The client went away (its request's signal aborted the database work): nobody to answer, nothing to log.
  if ((cause as { name?: unknown } | undefined)?.name === 'AbortError') return new TRPCError({ code: 'CLIENT_CLOSED_REQUEST', message: 'The client closed the request' });
  const issues = error.code === 'BAD_REQUEST' ? zodIssuesOf(cause) : undefined;
  if (issues) return new TRPCError({ code: 'BAD_REQUEST', message: readableIssues(issues), cause });
  if (error.code !== 'INTERNAL_SERVER_ERROR') return error;
  log.logger.error({ err: cause ?? error, requestId: log.requestId, path: log.path }, 'audit-log procedure failed');
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `Internal server error (request ${log.requestId})` });
}

export interface AccessPolicy<TContext> {
  /** The host's adapter: its context → the caller, or null when nobody is signed in. */
  resolveCaller(ctx: TContext): TAuditCaller | null | undefined | Promise<TAuditCaller | null | undefined>;
  /** Who may read the log. Default: role "admin". */
  canRead(caller: TAuditCaller): boolean;
  requestIdOf(ctx: TContext): string;
  logger: Logger;
  /** Admits the expensive reads (`readProcedure`), fairly per tenant. */
  reads: TenantReadLimiter;
  /** Session ends announced on any instance (Redis): they close the caller's live streams. */
  sessionEnds?: SessionEnds;
  /** How often a live stream asks `resolveCaller` again (default LIVE_RECHECK_MS, 5 s). */
  liveRecheckMs?: number;
}

/**
 * The procedure builders, made once per router from its access policy: access is decided here
 * and nowhere else, so a router cannot forget a check.
 */
export function createProcedures<TContext extends AuditHostContext>(policy: AccessPolicy<TContext>) {
  const publicProcedure = t.procedure.use(async ({ ctx, next, path }) => {
    const requestId = policy.requestIdOf(ctx as TContext);
    const result = await next({ ctx: { requestId } });
    if (!result.ok) throw toClientError(result.error, { logger: policy.logger, requestId, path });
    return result;
  });

  /** Who is calling, if anyone, and whether they may read: never refuses (the page asks it first). */
  const sessionProcedure = publicProcedure.use(async ({ ctx, next }) => {
    const caller = ZAuditCaller.safeParse(await policy.resolveCaller(ctx as TContext));
    const known = caller.success ? caller.data : null;
    return next({ ctx: { caller: known, canRead: known ? policy.canRead(known) : false } });
  });

  const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
    const resolved = await policy.resolveCaller(ctx as TContext);
    if (!resolved) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to read the audit log' });
    const caller = ZAuditCaller.safeParse(resolved);
    if (!caller.success) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'The caller could not be identified' });
    return next({ ctx: { caller: caller.data } });
  });

  const adminProcedure = authedProcedure.use(({ ctx, next }) => {
    if (!policy.canRead(ctx.caller)) throw new TRPCError({ code: 'FORBIDDEN', message: 'Only administrators may read the audit log' });
    return next();
  });

  /**
   * An admin's expensive read (a search, a page, facets): it waits for one of its tenant's read
   * slots, so one tenant's load cannot hold the database against another's (server/read-limits).
   * A client that goes away while waiting leaves the queue. Heavy reads (text searches, facets,
   * activity) also take one of the tighter heavy slots.
   */
  const readProcedure = adminProcedure.use(async ({ ctx, next, signal, path, getRawInput }) => {
    const cost = readCostOf(path, await getRawInput().catch(() => undefined));
    const release = await policy.reads.acquire(ctx.caller.tenantId, signal, cost);
    try {
      return await next();
    } finally {
      release();
    }
  });

  /**
   * For a live stream (a subscription): its signal also aborts when the caller may no longer read
   * (`resolveCaller` asked again every few seconds answers someone else, nobody, or a caller
   * `canRead` refuses; or the host ended the session). Stop it when the stream ends; then
   * `throwIfEnded` tells the client why (UNAUTHORIZED, so it does not reconnect).
   */
  const watchLive = (ctx: { caller: TAuditCaller }, signal: AbortSignal | undefined, access: { needsRead: boolean }): LiveCallerWatch & { throwIfEnded(): void } => {
    const caller = ctx.caller;
    const watch = watchLiveCaller({
      caller,
      signal,
      sessionEnds: policy.sessionEnds,
      everyMs: policy.liveRecheckMs,
      stillAllowed: async () => {
        const now = ZAuditCaller.safeParse(await policy.resolveCaller(ctx as unknown as TContext));
        return now.success && now.data.tenantId === caller.tenantId && now.data.actorId === caller.actorId && (!access.needsRead || policy.canRead(now.data));
      },
      onCheckFailed: (error) => policy.logger.warn({ err: error }, 'audit log: could not re-check a live stream’s caller'),
    });
    return {
      ...watch,
      throwIfEnded() {
        const because = watch.endedBecause();
        if (because) throw new TRPCError({ code: 'UNAUTHORIZED', message: `Live stream closed: ${because}; sign in again` });
      },
    };
  };

  return { publicProcedure, sessionProcedure, authedProcedure, adminProcedure, readProcedure, watchLive };
}

export type AuditProcedures = ReturnType<typeof createProcedures>;
