import pino from 'pino';
import { createApp } from './app';
import { bearerToken, verifyApiToken } from './auth/api-token';
import { stopOnSignals } from './common/shutdown';
import { ConfigError, loadConfigOrExit } from './config';
import { openProcessRuntime } from './runtime';

/**
 * The standalone audit-log API (`crm-audit-log api`): the router at /trpc for callers with a bearer
 * token signed with API_TOKEN_SECRET, export downloads under AUDIT_LOG_BASE_PATH, /healthz, /readyz.
 */
export async function runApiProcess(env: Record<string, string | undefined> = process.env): Promise<void> {
  const config = loadConfigOrExit(env);
  const logger = pino({ name: 'audit-log-api', level: config.LOG_LEVEL });
  const apiTokenSecret = config.API_TOKEN_SECRET;
  if (!apiTokenSecret) throw new ConfigError(['API_TOKEN_SECRET: required by the standalone API (at least 32 characters)']);
  const runtime = await openProcessRuntime(config, logger, {
    resolveActor: (req: { headers: { authorization?: string } }) => {
      const token = bearerToken(req.headers.authorization);
      const caller = token ? verifyApiToken(token, apiTokenSecret) : null;
      return caller && { tenantId: caller.tenantId, actor: { id: caller.actorId, name: caller.actorName, email: caller.actorEmail, role: caller.role, type: 'api_key' as const } };
    },
  });
  const app = createApp({
    server: runtime.server,
    basePath: config.AUDIT_LOG_BASE_PATH,
    logger,
    corsOrigins: config.CORS_ORIGINS,
    bodyLimitBytes: config.API_BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    readiness: { mongo: runtime.connection, redis: runtime.server.services.connected?.redis.client },
  });
  const server = app.listen(config.PORT, config.HOST, () => logger.info({ url: `http://${config.HOST}:${config.PORT}/trpc` }, 'audit-log API listening'));
  // /readyz answers 503 from here; requests in flight finish before the recorder drains.
  stopOnSignals(logger, () => runtime.close({ httpServer: server }), 50_000);
}
