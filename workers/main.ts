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

/**
 * `crm-audit-log migrate`: converts the events still in form v1 to the stored form v2 and exits,
 * printing the counts. The same migration starts by itself whenever the audit log starts; this runs
 * it ahead of a deploy, or to see it finish. Resumable: stopped at any point, the next run continues.
 */
export async function runMigrateProcess(env: Record<string, string | undefined> = process.env): Promise<void> {
  const config = loadConfigOrExit(env);
  const logger = pino({ name: 'audit-log-migrate', level: config.LOG_LEVEL });
  const runtime = await openProcessRuntime(config, logger);
  try {
    const progress = await runtime.server.services.migrated();
    const pending = await runtime.server.services.events.migration.pending();
    process.stdout.write(`${JSON.stringify({ migrated: progress.migrated, skipped: progress.skipped, failed: progress.failed, pending })}\n`);
    if (progress.failed.length > 0) process.exitCode = 1;
  } finally {
    await runtime.close();
  }
}
