import type { Server } from 'node:http';
import express from 'express';
import pino from 'pino';
import { createApp } from './app';
import { bearerToken, verifyApiToken } from './auth/api-token';
import { cursorSecretFrom, loadConfigOrExit } from './config';
import { createContextFactory, type TApiContext } from './context';
import { createExportDownloadRouter } from './exports/download.route';
import { createAuditLogApiRouter } from './router';
import { openRuntime } from './runtime';

/** The standalone audit-log API: `npm run start:api`. Export workers run apart (`npm run worker`). */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = pino({ name: 'audit-log-api', level: config.LOG_LEVEL });
  if (!config.API_TOKEN_SECRET) {
    process.stderr.write('Invalid configuration:\n  - API_TOKEN_SECRET: required by the standalone API (at least 32 characters)\n');
    process.exit(1);
  }
  const apiTokenSecret = config.API_TOKEN_SECRET;
  const runtime = await openRuntime(config, logger);
  const router = createAuditLogApiRouter<TApiContext>({
    audit: runtime.audit,
    cursorSecret: cursorSecretFrom(config, apiTokenSecret),
    resolveCaller: (ctx) => ctx.caller,
    services: runtime.services,
  });
  const api = createApp({
    router,
    createContext: createContextFactory({ logger, apiTokenSecret }),
    logger,
    corsOrigins: config.CORS_ORIGINS,
    bodyLimitBytes: config.API_BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    readiness: { mongo: runtime.connection, redis: runtime.redis },
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(
    createExportDownloadRouter({
      exports: runtime.services.exports.repository,
      storage: runtime.services.exports.storage,
      signingSecret: runtime.services.exports.signingSecret,
      audit: runtime.audit,
      logger,
      resolveCaller: (req) => {
        const token = bearerToken(req.headers.authorization);
        return token ? verifyApiToken(token, apiTokenSecret) : null;
      },
    }),
  );
  app.use(api);
  const server = app.listen(config.PORT, config.HOST, () => logger.info({ url: `http://${config.HOST}:${config.PORT}/trpc` }, 'audit-log API listening'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests, draining the recorder');
    const forced = setTimeout(() => process.exit(1), 30_000).unref();
    await closeServer(server);
    await runtime.close();
    clearTimeout(forced);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    // Idle keep-alive sockets would hold close() open; requests in flight still finish.
    server.closeIdleConnections();
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`audit-log API failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
