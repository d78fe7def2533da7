import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { bearerToken, verifyApiToken } from './auth/api-token';
import type { TAuditCaller } from './trpc';

/**
 * The standalone server's tRPC context, in two layers: `createContextInner` holds what a call
 * needs and is what tests build directly; `createContextFactory` adds the caller and request id
 * from the HTTP request. A host that mounts the router uses its own context instead.
 */
export interface ContextInnerDeps {
  logger: Logger;
  caller?: TAuditCaller | null;
  requestId?: string;
}

export function createContextInner(deps: ContextInnerDeps) {
  return { logger: deps.logger, caller: deps.caller ?? null, requestId: deps.requestId ?? randomUUID() };
}

export type TApiContext = Awaited<ReturnType<typeof createContextInner>>;

export interface ContextFactoryDeps {
  logger: Logger;
  apiTokenSecret: string;
  clock?: () => Date;
}

/** Express keeps the request id that app.ts assigned in `res.locals.requestId`. */
export function createContextFactory(deps: ContextFactoryDeps) {
  const clock = deps.clock ?? (() => new Date());
  return function createContext({ req, res }: { req: Request; res: Response }): TApiContext {
    const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : randomUUID();
    const token = bearerToken(req.headers.authorization);
    const caller = token ? verifyApiToken(token, deps.apiTokenSecret, clock()) : null;
    return createContextInner({ logger: deps.logger.child({ requestId }), caller, requestId });
  };
}
