import pino from 'pino';
import { loadConfigOrExit } from '../server/config';
import { openRuntime } from '../server/runtime';
import { startExportWorker } from './export-worker';

/** The export worker on its own: `npm run build && npm run worker`. Several may run, anywhere. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = pino({ name: 'audit-log-worker', level: config.LOG_LEVEL });
  const runtime = await openRuntime(config, logger);
  const worker = await startExportWorker({ services: runtime.services, connection: runtime.redis, prefix: config.REDIS_PREFIX, logger });
  logger.info({ queue: 'audit-exports', prefix: config.REDIS_PREFIX }, 'export worker running');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing the current jobs');
    const forced = setTimeout(() => process.exit(1), 60_000).unref();
    await worker.close();
    await runtime.close();
    clearTimeout(forced);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`export worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
