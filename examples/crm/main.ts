import type { Server } from 'node:http';
import pino from 'pino';
import { createAuditLog, type AuditLog } from '../../plugins';
import { closeHttpServer, stopOnSignals } from '../../server/common/shutdown';
import { auditServerOptionsFrom, loadConfigOrExit, type TConfig } from '../../server/config';
import { createCrmApp, crmActorOf, type CrmApp } from './crm-app';
import { openDemoDatabase, type DemoDatabase } from './demo-database';
import { demoLoginLines, seedDemoData } from './seed';

/**
 * `npm start`: the demo CRM with the audit log installed as a host installs it (createAuditLog, the
 * plugin on its models, the request middleware, the router in its own tRPC router), an export
 * worker in the same process and the admin page. Seeds demo data on first start and prints the URL
 * and the demo logins. SIGTERM/SIGINT let requests in flight finish, record pending failed sign-in
 * counts, flush the audit log and close everything, also when they arrive during start-up (the
 * embedded database must not outlive the process).
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = pino({ name: 'demo-crm', level: config.LOG_LEVEL });
  const started: { database?: DemoDatabase; auditLog?: AuditLog; crm?: CrmApp; server?: Server } = {};
  // Requests in flight finish (each write with its event on disk: durable mode) and pending sign-in
  // counts are recorded before the audit log drains.
  const stopAll = async () => {
    if (started.server) await closeHttpServer(started.server);
    started.crm?.close();
    await started.auditLog?.close();
    await started.database?.close();
  };
  stopOnSignals(logger, stopAll, 50_000);

  started.database = await openDemoDatabase(config, logger);
  started.auditLog = createAuditLog({
    ...auditServerOptionsFrom(config),
    connection: started.database.connection,
    resolveActor: crmActorOf,
    trustProxy: config.TRUST_PROXY,
    logger,
  });
  await started.auditLog.startWorker();
  started.crm = await createCrmApp({
    connection: started.auditLog.connection,
    auditLog: started.auditLog,
    logger,
    secureCookies: config.NODE_ENV === 'production',
    trustProxy: config.TRUST_PROXY,
    publicUrl: config.PUBLIC_URL,
  });
  const { server, seeded } = await serveCrm(config, started.crm);
  started.server = server;
  printBanner(config, server, started.database, seeded);
}

async function serveCrm(config: TConfig, crm: CrmApp) {
  const { seeded } = await seedDemoData(crm.models);
  const server = crm.app.listen(config.PORT, config.HOST);
  await new Promise<void>((done, fail) => server.once('listening', done).once('error', fail));
  return { server, seeded };
}

function printBanner(config: TConfig, server: Server, database: DemoDatabase, seeded: boolean): void {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = config.PUBLIC_URL ?? `http://${config.HOST}:${port}`;
  const lines = [
    '',
    `Demo CRM running at ${url}  (tRPC API: ${url}/trpc)`,
    `Audit log page (admins): ${url}/audit-log`,
    `Audit log API: ${url}/trpc (auditLog.*), export worker running`,
    `Database: ${database.description}${seeded ? ' (demo data created)' : ''}`,
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
