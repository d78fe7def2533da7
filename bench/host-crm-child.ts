/**
 * The demo CRM in its own process for the host-overhead benchmark, with the audit trail on or off:
 *   host-crm-child.ts <mongodb uri> <db name> <on|off>
 * Prints one JSON line {"port": n} once it listens; closes cleanly on SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import pino from 'pino';
import { createCrmApp, crmActorOf } from '../examples/crm/crm-app';
import { seedDemoData } from '../examples/crm/seed';
import { createAuditLog } from '../plugins';

const [uri, dbName, mode] = process.argv.slice(2) as [string, string, 'on' | 'off'];

async function main(): Promise<void> {
  const logger = pino({ level: 'silent' });
  const connection = await mongoose.createConnection(uri, { dbName }).asPromise();
  // BENCH_FLUSH_INTERVAL_MS / BENCH_BATCH_SIZE try other recorder settings than the defaults.
  const flushIntervalMs = Number(process.env.BENCH_FLUSH_INTERVAL_MS) || undefined;
  const batchSize = Number(process.env.BENCH_BATCH_SIZE) || undefined;
  const auditLog = createAuditLog({ connection, logger, resolveActor: crmActorOf, recorder: { ...(flushIntervalMs && { flushIntervalMs }), ...(batchSize && { batchSize }) } });
  await auditLog.ready;
  const crm = await createCrmApp({ connection, auditLog, auditTrail: mode === 'on', logger });
  await seedDemoData(crm.models);
  const server = crm.app.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close();
    void auditLog
      .close()
      .then(() => connection.close())
      .finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`host CRM (${mode}) failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
