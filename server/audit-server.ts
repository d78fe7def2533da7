import type { IncomingMessage, Server } from 'node:http';
import type { Worker } from 'bullmq';
import type { Router } from 'express';
import type { Redis, RedisOptions } from 'ioredis';
import type { Connection } from 'mongoose';
import pino, { type Logger } from 'pino';
import { lazyModule } from './common/lazy-module';
import { closeHttpServer } from './common/shutdown';
import { hmacBase64Url } from './common/signed-tokens';
import type { TCustomActionInput, OpenPageStreamsOptions } from './events';
import type { ExportStorage, ExportWorkerOptions } from './exports';
import type { TAdminPageOptions } from './http/admin-page.config';
import type { NotificationChannelSettings } from './notifications';
import { auditContext, identityOf, type AuditIdentity } from './request-scope';
import type { TSessionEnd } from './live';
import type { ReadLimits } from './read-limits';
import type { BackoffPolicy, TDurabilityInput } from './recorder';
import type { AuditLogApiRouter, AuditLogRouter } from './router';
import { createAuditServices, type AuditRedis } from './services';
import type { TAuditCaller } from './access';
import type { IntegritySettings } from './integrity';

export type ResolveActor<TRequest = any> = (req: TRequest) => AuditIdentity | null | undefined | Promise<AuditIdentity | null | undefined>;

export interface AuditServerOptions {
  /** The host's mongoose connection (mongoose 8 or 9), e.g. `mongoose.connection`; it may still be connecting. */
  connection: Connection;
  /**
   * Redis (a URL, ioredis options or an ioredis instance, which is duplicated): the spill store,
   * exports, notifications and live views need it. Without it those procedures answer
   * PRECONDITION_FAILED and events past the memory bound are refused (`AuditLogOverloadedError`).
   */
  redis?: string | RedisOptions | Redis;
  /** Prefix of every Redis key and queue (default `audit`). */
  redisPrefix?: string;
  /**
   * Signs page cursors and download links: at least 32 characters, the same in every process of the
   * host (API and workers). Required when NODE_ENV is production; elsewhere a development default is
   * used and logged.
   */
  secret?: string;
  /**
   * Who is acting, from the host's request: `(req) => req.user && { tenantId, actor: { id, name, email, role }, sessionId }`.
   * Asked when an event is made (so authentication inside a router is seen) and for the caller of
   * the audit log's own HTTP API. `actor.role` decides read access (see `canRead`).
   */
  resolveActor?: ResolveActor;
  /** A single-tenant host's tenant: used whenever nothing else names one. */
  tenantId?: string;
  /** For `router` mounted in the host's tRPC router: the caller from the host's context. Default: from `resolveActor`, through the request middleware. */
  resolveCaller?: (ctx: any) => TAuditCaller | null | undefined | Promise<TAuditCaller | null | undefined>;
  /** Who may read the log. Default: `caller.role === 'admin'`. */
  canRead?: (caller: TAuditCaller) => boolean;
  /** The host's own actions, each with a zod schema for its metadata. */
  actions?: TCustomActionInput[];
  exports?: {
    retentionDays?: number;
    maxRunningPerTenant?: number;
    /** Exports one admin may have queued or running (default 5); one more answers TOO_MANY_REQUESTS. */
    maxQueuedPerRequester?: number;
    /** Exports one tenant may have queued or running (default 20). */
    maxQueuedPerTenant?: number;
    /** Absolute URL of the host (e.g. https://crm.example.com) for links in notifications; default: links relative to the host. */
    publicUrl?: string;
    /** Where the host mounts `expressRouter()` (default `/audit-log`): download links lead there. */
    basePath?: string;
    /** How long an in-app download link works (default 15 minutes); every download also needs the requester's session. */
    linkLifetimeMs?: number;
    storage?: ExportStorage;
  };
  notifications?: NotificationChannelSettings;
  recorder?: Partial<{ batchSize: number; flushIntervalMs: number; maxQueuedEvents: number; backoff: BackoffPolicy }>;
  /**
   * `{ mode, directory }`: `durable` (default) makes each host write wait until its event is in the
   * write-ahead log on disk; `buffered` writes the log only for events past the memory bound;
   * `memory` uses no files (Redis spill). `directory` (default `.crm-audit-log/wal`, from the
   * working directory) must be on a disk that outlives the process. See docs/OPERATIONS.md.
   */
  durability?: TDurabilityInput;
  /** Record "audit log searched" events (default true), at most once per caller and filters per `throttleMs`. */
  recordReads?: boolean | { throttleMs: number };
  pageStreams?: OpenPageStreamsOptions | false;
  /** Expensive reads (events.list, byId, facets) at once per tenant and in all, per process; beyond: a short queue, then TOO_MANY_REQUESTS (docs/API.md). */
  readLimits?: Partial<ReadLimits>;
  /** Live views: past `maxReplay` events missed during a Redis interruption they tell the client to reload (default 1,000). */
  live?: { maxReplay?: number };
  /**
   * The tamper-evident log (docs/INTEGRITY.md): `signingKey` (PRIVATE+KEY+… text, from configuration
   * or a key file, never the database) makes this process seal events and sign checkpoints;
   * `publicKeys` lists every key checkpoints may carry, with validity, for rotation.
   */
  integrity?: IntegritySettings;
  logger?: Logger;
  clock?: () => Date;
}

/** ioredis only when the host configures Redis. */
const ioredis = lazyModule(() => require('ioredis') as typeof import('ioredis'));
/**
 * The API side (tRPC router, procedures and their zod schemas, the express router, the admin page)
 * when a host first mounts or serves it: a host that only captures holds only what capture needs
 * (about 2 MB less resident heap for its garbage collector to walk; issue 17).
 */
const apiRouters = lazyModule(() => require('./router') as typeof import('./router'));
const expressRouters = lazyModule(() => require('./http/express-router') as typeof import('./http/express-router'));

const DEVELOPMENT_SECRET = 'crm-audit-log development secret - never use in production';

/**
 * The audit log's server side, built once per process: recorder, repositories, services, the tRPC
 * router, the express router and export workers. `createAuditLog` (the host's entry point) adds the
 * host adapters on top; the standalone API and worker processes use this directly.
 */
export function createAuditServer(options: AuditServerOptions) {
  const logger = options.logger ?? pino({ name: 'audit-log' });
  const secret = secretOf(options.secret, logger);
  const redis = options.redis === undefined ? undefined : redisConnections(options.redis, options.redisPrefix ?? 'audit', logger);
  const services = createAuditServices({
    connection: options.connection,
    redis,
    logger,
    actions: options.actions,
    defaultTenantId: options.tenantId,
    recorder: options.recorder,
    durability: options.durability,
    downloadSecret: derivedKey(secret, 'download links'),
    identityKey: derivedKey(secret, 'identity pseudonyms'),
    exports: options.exports,
    notifications: options.notifications,
    readLimits: options.readLimits,
    live: options.live,
    integrity: options.integrity,
    clock: options.clock,
  });
  const ready = services.start();
  ready.catch((error: unknown) => logger.error({ err: error }, 'audit log could not start (indexes or Redis subscriptions)'));

  const callerOf = (identity: Partial<AuditIdentity> | null | undefined): TAuditCaller | null => {
    const tenantId = identity?.tenantId ?? options.tenantId;
    if (!identity?.actor || !tenantId) return null;
    return { tenantId, actorId: identity.actor.id, actorName: identity.actor.name, actorEmail: identity.actor.email, role: identity.actor.role, sessionId: identity.sessionId };
  };
  const callerOfRequest = async (req: IncomingMessage) => callerOf((await options.resolveActor?.(req)) ?? identityOf(auditContext.current()));
  const routerOptions = { cursorSecret: derivedKey(secret, 'page cursors'), canRead: options.canRead, recordReads: options.recordReads, pageStreams: options.pageStreams, maxTimeMS: options.readLimits?.maxTimeMS };
  let router: AuditLogRouter | undefined;
  /** The router a tRPC host mounts, with the caller from the host's context; built when first asked for. */
  const hostRouter = () => (router ??= apiRouters().createAuditLogRouter(services, { ...routerOptions, resolveCaller: options.resolveCaller ?? (() => callerOf(identityOf(auditContext.current()))) }));
  let apiRouter: AuditLogApiRouter | undefined;
  /** The router under `auditLog`, with the caller read from each HTTP request (the audit log's own API). */
  const httpApiRouter = () => (apiRouter ??= apiRouters().createAuditLogApiRouter(services, { ...routerOptions, resolveCaller: ({ req }: { req: IncomingMessage }) => callerOfRequest(req) }));
  const workers = new Set<Worker>();
  let stopping = false;

  return {
    services,
    logger,
    get router(): AuditLogRouter {
      return hostRouter();
    },
    ready,

    httpApiRouter,

    /**
     * The host's word that a session (or every session of a user) may no longer read: call it on
     * sign-out, demotion or deactivation. Every instance closes that caller's live streams at once
     * (they also re-check the caller every few seconds). Needs Redis; without it, nothing is live.
     */
    async endSessions(ended: TSessionEnd): Promise<void> {
      await services.connected?.sessionEnds.end(ended);
    },

    expressRouter(choice: { api?: boolean; adminPage?: boolean | TAdminPageOptions } = {}): Router {
      return expressRouters().createAuditLogExpressRouter({ services, resolveCaller: callerOfRequest, canRead: options.canRead, apiRouter: choice.api === false ? undefined : httpApiRouter, adminPage: choice.adminPage ?? false });
    },

    async startWorker(workerOptions: ExportWorkerOptions = {}): Promise<Worker> {
      const exports = services.connected?.exports;
      if (!exports) throw new Error('crm-audit-log: the export worker needs Redis (createAuditLog({ redis }))');
      const worker = await exports.startWorker({ logger, ...workerOptions });
      workers.add(worker);
      worker.once('closed', () => workers.delete(worker));
      return worker;
    },

    /** True from the start of close(): readiness answers 503. */
    stopping: () => stopping,

    /**
     * Stops in order: the HTTP servers given stop accepting and their requests in flight finish (at
     * most `drainMs`, default 25 s, then they are cut), then workers started here stop, the recorder
     * drains (up to `timeoutMs`; in durable or buffered mode what is left stays in the write-ahead
     * log for the next start), and the Redis connections it opened close.
     */
    async close(closeOptions?: AuditServerCloseOptions): Promise<void> {
      stopping = true;
      const httpServers = closeOptions?.httpServer === undefined ? [] : [closeOptions.httpServer].flat();
      await Promise.all(httpServers.map((httpServer) => closeHttpServer(httpServer, closeOptions?.drainMs)));
      // Let start-up (index creation) finish first, so it does not fail against a closing connection.
      await Promise.race([ready.catch(() => undefined), new Promise((done) => setTimeout(done, closeOptions?.timeoutMs ?? 20_000).unref())]);
      await Promise.all([...workers].map((worker) => worker.close()));
      try {
        await services.close(closeOptions);
      } finally {
        redis?.client.disconnect();
        redis?.subscriber.disconnect();
      }
    },
  };
}

export type AuditServer = ReturnType<typeof createAuditServer>;

export interface AuditServerCloseOptions {
  /** How long the recorder may take to write what it holds (default 20 s). */
  timeoutMs?: number;
  /** The host's HTTP server(s): closed first, so no request is cut between its write and its event. */
  httpServer?: Server | Server[];
  /** How long requests in flight may take to finish (default 25 s). */
  drainMs?: number;
}

function secretOf(given: string | undefined, logger: Logger): string {
  if (given !== undefined) {
    if (given.length < 32) throw new Error('crm-audit-log: secret must be at least 32 characters');
    return given;
  }
  if (process.env.NODE_ENV === 'production') throw new Error('crm-audit-log: secret is required in production (at least 32 characters)');
  logger.warn('crm-audit-log: no secret given, using the development default (set one in production)');
  return DEVELOPMENT_SECRET;
}

/** One secret, one key per use: a leaked cursor key does not sign download links. */
function derivedKey(secret: string, use: string): string {
  return hmacBase64Url(secret, `crm-audit-log ${use}`);
}

function redisConnections(given: string | RedisOptions | Redis, prefix: string, logger: Logger): AuditRedis {
  // BullMQ needs `maxRetriesPerRequest: null`; a host's own instance is duplicated with it, never changed.
  const { Redis } = ioredis();
  const client =
    typeof given === 'string'
      ? new Redis(given, { maxRetriesPerRequest: null })
      : typeof (given as Partial<Redis>).duplicate === 'function'
        ? (given as Redis).duplicate({ maxRetriesPerRequest: null })
        : new Redis({ ...(given as RedisOptions), maxRetriesPerRequest: null });
  const subscriber = client.duplicate();
  for (const connection of [client, subscriber]) connection.on('error', (error: unknown) => logger.warn({ err: error }, 'audit log: redis error'));
  return { client, subscriber, prefix };
}
