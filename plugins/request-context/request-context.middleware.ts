import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResolveActor } from '../../server/audit-server';
import { auditContext, type AuditIdentity, type AuditScope } from '../../server/request-scope';
import type { TRequestContext } from '../../server/events';
import { clientIpFrom, type TrustProxySetting } from './client-ip';
import { parseUserAgent } from './user-agent';
import { withoutUndefined } from '../../server/common/without-undefined';

/** Who the host's authentication says is calling (`tenantId` may be left out by a single-tenant host). */
export type ResolvedActor = AuditIdentity;
export type { ResolveActor };

export interface AuditRequestContextOptions<TRequest extends IncomingMessage> {
  /**
   * Reads the host's authentication: null while nobody is signed in. A synchronous resolver (one that
   * reads `req.user`) is asked again whenever an event is made, so authentication that runs later,
   * inside a router, is seen. An asynchronous one is awaited once, when the request starts.
   */
  resolveActor?: ResolveActor<TRequest>;
  /** Believe X-Forwarded-For: `true` for any proxy, a number for that many trusted hops. Default false. */
  trustProxy?: TrustProxySetting;
  /** Header carrying a request id set by a gateway; a fresh UUID when absent or malformed. */
  requestIdHeader?: string;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * Express (4 or 5) middleware: keeps tenant, actor and request details for the rest of the request,
 * so `auditLog.record()`, the mongoose plugin and the tRPC middleware fill events in by themselves.
 * Mount it once, before the host's routes; authentication may run before or after it.
 */
export function auditRequestContext<TRequest extends IncomingMessage>(options: AuditRequestContextOptions<TRequest> = {}) {
  const requestIdHeader = (options.requestIdHeader ?? 'x-request-id').toLowerCase();
  const resolveActor = options.resolveActor;
  return function auditRequestContextMiddleware(req: TRequest, res: ServerResponse, next: (error?: unknown) => void): void {
    const request = requestContextOf(req, { trustProxy: options.trustProxy ?? false, requestIdHeader });
    if (request.requestId && !res.headersSent) res.setHeader('x-request-id', request.requestId);
    let first: ReturnType<ResolveActor<TRequest>> | undefined;
    try {
      first = resolveActor?.(req);
    } catch (error) {
      return next(error);
    }
    if (first && typeof (first as PromiseLike<unknown>).then === 'function') {
      // An asynchronous resolver (a session lookup) is asked once; its answer holds for the request.
      (first as Promise<ResolvedActor | null | undefined>).then((resolved) => auditContext.run(fixedScope(request, resolved), () => next()), next);
      return;
    }
    const scope: AuditScope = { request, resolve: resolveActor ? () => resolveActor(req) as ResolvedActor | null | undefined : undefined };
    auditContext.run(scope, () => next());
  };
}

function fixedScope(request: TRequestContext, resolved: ResolvedActor | null | undefined): AuditScope {
  if (!resolved) return { request };
  return { tenantId: resolved.tenantId, actor: resolved.actor, request: resolved.sessionId ? { ...request, sessionId: resolved.sessionId } : request };
}

export function requestContextOf(
  req: IncomingMessage,
  { trustProxy, requestIdHeader }: { trustProxy: TrustProxySetting; requestIdHeader: string },
): TRequestContext {
  const userAgent = headerValue(req.headers['user-agent'])?.slice(0, 1_024);
  const suppliedId = headerValue(req.headers[requestIdHeader]);
  const parsed = parseUserAgent(userAgent);
  const context: TRequestContext = {
    ip: clientIpFrom({ remoteAddress: req.socket?.remoteAddress, forwardedFor: req.headers['x-forwarded-for'], trustProxy }),
    userAgent,
    deviceType: parsed.deviceType,
    browser: parsed.browser,
    os: parsed.os,
    requestId: suppliedId && REQUEST_ID.test(suppliedId) ? suppliedId : randomUUID(),
  };
  return withoutUndefined(context);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
