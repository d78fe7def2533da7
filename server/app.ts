import { randomUUID } from 'node:crypto';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { AuditServer } from './audit-server';
import { withTimeout } from './common/with-timeout';
import { AUDIT_MAX_BATCH_SIZE, auditLogResponseMeta, createAuditHttpContext, type AuditHttpContext } from './http/express-router';
import { EXPORT_DEFAULTS } from './exports';

export interface CreateAppOptions {
  server: AuditServer;
  /** Where the download route is mounted (default `/audit-log`, what the links say). */
  basePath?: string;
  logger: Logger;
  /** Browser origins allowed to call the API; empty: no cross-origin calls. */
  corsOrigins: string[];
  bodyLimitBytes: number;
  trustProxy?: boolean;
  /** What /readyz checks. */
  readiness: { mongo: Connection; redis?: Redis };
  /** How long each readiness check may take. */
  readinessTimeoutMs?: number;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The standalone API: the router at /trpc, downloads under `basePath`, /healthz, /readyz, security headers, CORS and limits. */
export function createApp(options: CreateAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  app.use(helmet());
  app.use(requestIds(options.logger));
  app.use(
    cors({
      origin: options.corsOrigins.length > 0 ? options.corsOrigins : false,
      credentials: true,
      allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'trpc-accept', 'x-trpc-source'],
      exposedHeaders: ['x-request-id'],
      maxAge: 600,
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const { services } = options.server;
    // Not a check that fails readiness (the API works), but said where operators look.
    const redisPersistence = options.readiness.redis ? (services.redisPersistence()?.persistence ?? 'unknown') : undefined;
    const durability = services.durability.mode;
    if (options.server.stopping()) {
      res.status(503).json({ status: 'stopping', redisPersistence, durability });
      return;
    }
    const checks = await readinessChecks(options.readiness, options.readinessTimeoutMs ?? 2_000);
    const ready = Object.values(checks).every((check) => check === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks, redisPersistence, durability });
  });

  app.use('/trpc', refuseLargeBodies(options.bodyLimitBytes));
  app.use(
    '/trpc',
    createExpressMiddleware({
      router: options.server.httpApiRouter(),
      createContext: createAuditHttpContext,
      maxBodySize: options.bodyLimitBytes,
      maxBatchSize: AUDIT_MAX_BATCH_SIZE,
      responseMeta: auditLogResponseMeta,
      onError({ error, path, ctx }) {
        if (error.code !== 'INTERNAL_SERVER_ERROR') return;
        const requestId = (ctx as AuditHttpContext | undefined)?.requestId;
        options.logger.error({ err: error.cause ?? error, path, requestId }, 'tRPC request failed');
      },
    }),
  );

  app.use(options.basePath ?? EXPORT_DEFAULTS.basePath, options.server.expressRouter({ api: false }));

  app.use((_req, res) => {
    res.status(404).json({ error: 'Not found' });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    options.logger.error({ err: error, requestId: res.locals.requestId }, 'request failed');
    const status = (error as { status?: unknown }).status;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    res.status(clientError ? status : 500).json({ error: clientError ? 'Bad request' : 'Internal server error', requestId: res.locals.requestId });
  });
  return app;
}

/** Refuses a declared oversized body before anything reads it; tRPC's maxBodySize catches undeclared (chunked) ones. */
function refuseLargeBodies(limit: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    const declared = Number(req.get('content-length') ?? 0);
    if (declared > limit) {
      res.status(413).json({ error: `Request body over ${limit} bytes`, requestId: res.locals.requestId });
      return;
    }
    next();
  };
}

/** Keeps a caller's X-Request-Id when it looks sane, else makes one; logs each request once, when it ends. */
function requestIds(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.get('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({ requestId, method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Math.round(ms) }, 'request');
    });
    next();
  };
}

async function readinessChecks(targets: CreateAppOptions['readiness'], timeoutMs: number): Promise<Record<string, 'ok' | string>> {
  const checks: Record<string, Promise<unknown>> = {
    mongodb: Promise.resolve().then(async () => {
      if (!targets.mongo.db) throw new Error('not connected');
      await targets.mongo.db.command({ ping: 1 });
    }),
  };
  if (targets.redis) checks.redis = targets.redis.ping();
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await withTimeout(Promise.resolve(check), timeoutMs).then(() => 'ok', () => 'unreachable')] as const),
  );
  return Object.fromEntries(entries);
}
