import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { auditContext, type AuditScope } from '../../server/recorder/audit-context';
import type { TActorInput, TRequestContext } from '../../server/events/event.schema';
import { clientIpFrom, type TrustProxySetting } from './client-ip';
import { parseUserAgent } from './user-agent';

/** Who the host's authentication says is calling. */
export interface ResolvedActor {
  tenantId: string;
  actor: TActorInput;
  sessionId?: string;
}

export interface AuditRequestContextOptions<TRequest extends IncomingMessage> {
  /** Runs after the host's authentication; null for anonymous requests (login pages, webhooks). */
  resolveActor: (req: TRequest) => ResolvedActor | null | undefined | Promise<ResolvedActor | null | undefined>;
  /** Believe X-Forwarded-For: `true` for any proxy, a number for that many trusted hops. Default false. */
  trustProxy?: TrustProxySetting;
  /** Header carrying a request id set by a gateway; a fresh UUID when absent or malformed. */
  requestIdHeader?: string;
}

/** Anonymous requests still carry where they came from; events must then name tenant and actor. */
export const ANONYMOUS_ACTOR: TActorInput = { id: 'anonymous', name: 'Anonymous', type: 'user' };

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * Express (4 or 5) middleware: keeps tenant, actor and request details for the rest of the request,
 * so `auditLog.record()`, the mongoose plugin and the tRPC middleware fill events in by themselves.
 * Place it after body parsing and authentication, before the routes.
 */
export function auditRequestContext<TRequest extends IncomingMessage>(options: AuditRequestContextOptions<TRequest>) {
  const requestIdHeader = (options.requestIdHeader ?? 'x-request-id').toLowerCase();
  return function auditRequestContextMiddleware(req: TRequest, res: ServerResponse, next: (error?: unknown) => void): void {
    Promise.resolve()
      .then(() => options.resolveActor(req))
      .then((resolved) => {
        const request = requestContextOf(req, { trustProxy: options.trustProxy ?? false, requestIdHeader });
        if (resolved?.sessionId) request.sessionId = resolved.sessionId;
        if (request.requestId && !res.headersSent) res.setHeader('x-request-id', request.requestId);
        const scope: AuditScope = resolved
          ? { tenantId: resolved.tenantId, actor: resolved.actor, request }
          : { tenantId: '', actor: ANONYMOUS_ACTOR, request };
        auditContext.run(scope, () => next());
      })
      .catch(next);
  };
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
  return Object.fromEntries(Object.entries(context).filter(([, value]) => value !== undefined)) as TRequestContext;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
