import pino from 'pino';
import { stopOnSignals } from '../server/common/shutdown';
import { loadConfigOrExit } from '../server/config';
import { openProcessRuntime } from '../server/runtime';

/** An export worker on its own (`crm-audit-log worker`). Several may run, anywhere that reaches MongoDB and Redis. */
export async function runWorkerProcess(env: Record<string, string | undefined> = process.env): Promise<void> {
  const config = loadConfigOrExit(env);
  const logger = pino({ name: 'audit-log-worker', level: config.LOG_LEVEL });
  const runtime = await openProcessRuntime(config, logger);
  await runtime.server.startWorker();
  logger.info({ queue: 'audit-exports', prefix: config.REDIS_PREFIX }, 'export worker running');
  // Running jobs finish (or go back to the queue) before the recorder drains.
  stopOnSignals(logger, () => runtime.close(), 60_000);
}
