import pino from 'pino';
import { loadConfigOrExit } from '../../server/config';
import { createCrmApp } from './crm-app';
import { startCrmRuntime } from './crm-runtime';
import { demoLoginLines, seedDemoData } from './seed';

/**
 * `npm start`: the demo CRM with the audit log installed. Seeds demo data on first start, prints
 * the URL and the demo logins; SIGTERM/SIGINT flush the audit log and close everything.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = pino({ name: 'demo-crm', level: config.LOG_LEVEL });
  const runtime = await startCrmRuntime(config, logger);
  const crm = await createCrmApp({ connection: runtime.connection, auditLog: runtime.auditLog, logger, trustProxy: config.TRUST_PROXY, secureCookies: config.NODE_ENV === 'production' });
  const { seeded } = await seedDemoData(crm.models);

  const server = crm.app.listen(config.PORT, config.HOST);
  await new Promise<void>((done, fail) => server.once('listening', done).once('error', fail));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = config.PUBLIC_URL ?? `http://${config.HOST}:${port}`;
  process.stdout.write(
    [
      '',
      `Demo CRM running at ${url}  (tRPC API: ${url}/trpc)`,
      `Database: ${runtime.database}${seeded ? ' (demo data created)' : ''}`,
      'Demo logins:',
      ...demoLoginLines(),
      '',
    ].join('\n') + '\n',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: flushing the audit log');
    server.close();
    server.closeAllConnections?.();
    try {
      await runtime.close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'unclean shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`demo CRM failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
