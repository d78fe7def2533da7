import type { IncomingMessage } from 'node:http';
import type { AnyRouter } from '@trpc/server';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { lazyModule } from '../common/lazy-module';
import { auditContext } from '../request-scope';
import type { AuditServices } from '../services';
import { isAdmin, type TAuditCaller } from '../access';
import type { TAdminPageOptions } from './admin-page.config';
import { createAdminPageRouter } from './admin-page.route';
import { auditLogResponseMeta } from './response-meta';

export { auditLogResponseMeta };

/** tRPC's express adapter with the first API request (see `apiRouter`). */
const trpcExpress = lazyModule(() => require('@trpc/server/adapters/express') as typeof import('@trpc/server/adapters/express'));

/** The context of the audit log's own HTTP API (`/trpc` under the express router). */
export interface AuditHttpContext {
  req: Request;
  res: Response;
  requestId: string | undefined;
}

/** The request id the standalone app assigned, else the one the request middleware keeps. */
export function createAuditHttpContext({ req, res }: { req: Request; res: Response }): AuditHttpContext {
  return { req, res, requestId: (res.locals.requestId as string | undefined) ?? auditContext.current()?.request.requestId };
}

/**
 * The most calls one tRPC request may batch (tRPC's `maxBatchSize`; a larger batch is refused with
 * 400 BAD_REQUEST "Batch call exceeds maximum size" before any call runs). One batch of 200 facets
 * kept the database busy for 42 s; ten is what the admin page sends at most (the client's
 * `maxItems`). Hosts mounting the router in their own endpoint set the same (docs/INSTALL.md).
 */
export const AUDIT_MAX_BATCH_SIZE = 10;

export type ResolveRequestCaller = (req: IncomingMessage) => TAuditCaller | null | undefined | Promise<TAuditCaller | null | undefined>;

export interface AuditExpressRouterOptions {
  services: AuditServices;
  /** Who is calling, from the request the host authenticated (a REST host's session or token). */
  resolveCaller: ResolveRequestCaller;
  /**
   * Serve the API at `/trpc` (the router under `auditLog`); leave out when the host mounts
   * `auditLog.router` in its own tRPC router. A function is called at the first API request, so a
   * host that mounts the router but is never asked holds no procedures or schemas (issue 17).
   */
  apiRouter?: AnyRouter | (() => AnyRouter);
  /** Serve the admin page at `/` (default false): `true`, or the host's sign-in/sign-out links and tRPC endpoint (admin-page.config.ts). */
  adminPage?: boolean | TAdminPageOptions;
  /** Who may read the log, and so download their exports (default: admins). */
  canRead?: (caller: TAuditCaller) => boolean;
  /** Largest tRPC request body (default 100 kB). */
  bodyLimitBytes?: number;
  /** Most calls per batched request (default AUDIT_MAX_BATCH_SIZE, 10). */
  maxBatchSize?: number;
}

/**
 * Everything a REST host mounts with one line, `app.use('/audit-log', auditLog.expressRouter())`:
 * the API at `/trpc`, export downloads at `/exports/:id/download`, and the admin page at `/`.
 */
export function createAuditLogExpressRouter(options: AuditExpressRouterOptions): Router {
  const routes = express.Router();
  const connected = options.services.connected;

  if (connected) {
    const signInUrl = typeof options.adminPage === 'object' ? options.adminPage.signInUrl : undefined;
    routes.use(connected.exports.downloadRouter({ resolveCaller: options.resolveCaller, canRead: options.canRead ?? isAdmin, signInUrl }));
  }
  if (options.apiRouter) {
    const { apiRouter } = options;
    let serveApi: ((req: Request, res: Response, next: NextFunction) => void) | undefined;
    const apiMiddleware = () =>
      trpcExpress().createExpressMiddleware({
        router: typeof apiRouter === 'function' ? apiRouter() : apiRouter,
        maxBodySize: options.bodyLimitBytes ?? 100_000,
        maxBatchSize: options.maxBatchSize ?? AUDIT_MAX_BATCH_SIZE,
        responseMeta: auditLogResponseMeta,
        createContext: createAuditHttpContext,
      });
    routes.use('/trpc', (req, res, next) => (serveApi ??= apiMiddleware())(req, res, next));
  }
  if (options.adminPage) routes.use(createAdminPageRouter(options.adminPage === true ? {} : options.adminPage, { servesApi: Boolean(options.apiRouter) }));
  return routes;
}
