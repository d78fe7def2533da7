import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Worker } from 'bullmq';
import type { Router } from 'express';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { createAuditServer, type AuditServerCloseOptions, type AuditServerOptions } from '../server/audit-server';
import type { TAuditEventInput } from '../server/events';
import type { ExportWorkerOptions } from '../server/exports';
import type { TSessionEnd } from '../server/live';
import type { TAdminPageOptions } from '../server/http/admin-page.config';
import type { AuditLogRouter } from '../server/router';
import type { AuditServices } from '../server/services';
import { createAuditEvents, type AuditEvents } from './events/audit-events';
import { auditTrailPlugin, type AuditTrailPluginOptions } from './mongoose/audit-trail.plugin';
import type { TrustProxySetting } from './request-context/client-ip';
import { auditRequestContext } from './request-context/request-context.middleware';
import { audited, type AuditedProcedureSpec } from './trpc/audited-procedure';

export interface CreateAuditLogOptions extends AuditServerOptions {
  /** Believe X-Forwarded-For: `true` for any proxy, a number for that many trusted hops. Default false. */
  trustProxy?: TrustProxySetting;
  /** Defaults for `plugin` on every schema (per-schema options win). */
  capture?: Omit<AuditTrailPluginOptions, 'auditLog'>;
}

export interface AuditLog {
  /** Validates, fills tenant, actor and request context from the current request, queues; returns the id at once. */
  record(event: TAuditEventInput): string;
  /** Typed helpers for what the database cannot see: views, comments, invoices, logins, bulk edits, list exports, erasure. */
  readonly events: AuditEvents;
  /** The mongoose plugin, bound: `mongoose.plugin(auditLog.plugin)` or `schema.plugin(auditLog.plugin, { subjectType })`. */
  readonly plugin: (schema: unknown, options?: Omit<AuditTrailPluginOptions, 'auditLog'>) => void;
  /** Express middleware: mount once, before the host's routes (authentication may come before or after it). */
  readonly requestContext: (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
  /** The tRPC router for tRPC hosts: `router({ ...yours, auditLog: auditLog.router })`. */
  readonly router: AuditLogRouter;
  /** A tRPC middleware that records a host procedure (failures with status `failure`). */
  audited<TInput = any, TResult = any>(spec: AuditedProcedureSpec<TInput, TResult>): ReturnType<typeof audited<TInput, TResult>>;
  /**
   * For REST hosts: the API at `/trpc`, export downloads and (optionally) the admin page at `/`.
   * Mount it at `exports.basePath` (default `/audit-log`). `adminPage: { signInUrl, signOutUrl }`
   * links the page to the host's own sign-in and sign-out; `trpcUrl` is required with `api: false`.
   */
  expressRouter(options?: { api?: boolean; adminPage?: boolean | TAdminPageOptions }): Router;
  /**
   * Sign-out, demotion, deactivation: closes that session's (`sessionId`, as `resolveActor` names it)
   * or that user's (`actorId`) live streams on every instance at once. Streams also re-check the
   * caller every 5 s through the host's adapter. Needs Redis (without it nothing is live).
   */
  endSessions(ended: TSessionEnd): Promise<void>;
  /** Starts an export worker in this process (needs Redis). `close()` stops it. */
  startWorker(options?: ExportWorkerOptions): Promise<Worker>;
  /** Resolves once indexes exist and live delivery is subscribed; rejects (also logged) when that failed. */
  readonly ready: Promise<void>;
  metrics(): ReturnType<AuditServices['metrics']>;
  /** Resolves once every event accepted before the call is stored. */
  flush(): Promise<void>;
  /**
   * Graceful stop: `close({ httpServer })` first stops the host's server accepting and lets its
   * requests in flight finish (at most `drainMs`, default 25 s), then stops workers started here,
   * drains the recorder (up to `timeoutMs`, default 20 s; what is left stays in the write-ahead log
   * for the next start) and closes the Redis connections it opened. Call it on SIGTERM.
   */
  close(options?: AuditServerCloseOptions): Promise<void>;
  readonly connection: Connection;
  readonly logger: Logger;
  readonly catalog: AuditServices['catalog'];
}

/**
 * The one entry point. Synchronous, so a host can make it at module load and install the plugin on
 * models compiled at `require` time; connecting, indexes and subscriptions happen behind it.
 */
export function createAuditLog(options: CreateAuditLogOptions): AuditLog {
  const server = createAuditServer(options);
  const { services, logger } = server;
  const { recorder } = services.events;
  const erasure = { eraseSubject: services.eraseSubject, record: recorder.record, defaultTenantId: options.tenantId };

  return {
    record: recorder.record,
    events: createAuditEvents(erasure),
    plugin: (schema, schemaOptions) => auditTrailPlugin(schema, { ...options.capture, ...schemaOptions, auditLog: recorder.pluginCapture }),
    requestContext: auditRequestContext({ resolveActor: options.resolveActor, trustProxy: options.trustProxy }),
    // A getter: the tRPC router and its schemas are built when a host first mounts it.
    get router() {
      return server.router;
    },
    audited: (spec) => audited(recorder.capture, spec),
    expressRouter: (choice) => server.expressRouter(choice),
    startWorker: (workerOptions) => server.startWorker(workerOptions),
    endSessions: (ended) => server.endSessions(ended),
    ready: server.ready,
    metrics: services.metrics,
    flush: services.flush,
    close: (closeOptions) => server.close(closeOptions),
    connection: options.connection,
    logger,
    catalog: services.catalog,
  };
}
