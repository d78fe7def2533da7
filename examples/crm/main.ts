import type { Server } from 'node:http';
import type { Worker } from 'bullmq';
import pino, { type Logger } from 'pino';
import { cursorSecretFrom, loadConfigOrExit, secretFrom, type TConfig } from '../../server/config';
import { openRuntime, type Runtime } from '../../server/runtime';
import { startExportWorker } from '../../workers/export-worker';
import { createCrmApp } from './crm-app';
import { demoLoginLines, seedDemoData } from './seed';

type CrmRuntime = Runtime & { worker?: Worker };

/**
 * `npm start`: the demo CRM with the audit log installed, its API mounted as `auditLog`, and an
 * export worker in the same process. Seeds demo data on first start, prints the URL and the demo logins; SIGTERM/SIGINT flush the audit log and close everything, also when
 * they arrive during start-up (the embedded database must not outlive the process).
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = pino({ name: 'demo-crm', level: config.LOG_LEVEL });
  let runtime: CrmRuntime | undefined;
  let server: Server | undefined;
  let stopSignal: string | undefined;

  const stop = async (signal: string) => {
    if (stopSignal) return;
    stopSignal = signal;
    if (!runtime) return; // still starting: main() closes what it started once it returns
    logger.info({ signal }, 'stopping: flushing the audit log');
    server?.close();
    server?.closeAllConnections();
    try {
      await runtime.worker?.close();
      await runtime.close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'unclean shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  runtime = await openRuntime(config, logger);
  runtime.worker = await startExportWorker({ services: runtime.services, connection: runtime.redis, prefix: config.REDIS_PREFIX, logger });
  const started = await serveCrm(config, logger, runtime).catch(async (error: unknown) => {
    await runtime?.close().catch(() => undefined);
    throw error;
  });
  server = started.server;
  if (stopSignal) {
    const signal = stopSignal;
    stopSignal = undefined;
    return stop(signal);
  }
  printBanner(config, server, runtime, started.seeded);
}

async function serveCrm(config: TConfig, logger: Logger, runtime: CrmRuntime) {
  const crm = await createCrmApp({
    connection: runtime.connection,
    auditLog: runtime.audit,
    services: runtime.services,
    cursorSecret: cursorSecretFrom(config, secretFrom(config, 'API_TOKEN_SECRET').value),
    logger,
    trustProxy: config.TRUST_PROXY,
    secureCookies: config.NODE_ENV === 'production',
  });
  const { seeded } = await seedDemoData(crm.models);
  const server = crm.app.listen(config.PORT, config.HOST);
  await new Promise<void>((done, fail) => server.once('listening', done).once('error', fail));
  return { server, seeded };
}

function printBanner(config: TConfig, server: Server, runtime: CrmRuntime, seeded: boolean): void {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = config.PUBLIC_URL ?? `http://${config.HOST}:${port}`;
  const lines = [
    '',
    `Demo CRM running at ${url}  (tRPC API: ${url}/trpc)`,
    `Audit log page (admins): ${url}/audit-log`,
    `Audit log API: ${url}/trpc (auditLog.*), export worker running`,
    `Database: ${runtime.databaseDescription}${seeded ? ' (demo data created)' : ''}`,
    'Demo logins:',
    ...demoLoginLines(),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo CRM failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
