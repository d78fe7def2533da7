import pino from 'pino';
import { createAuditLog } from '../../plugins';
import { loadConfigOrExit } from '../../server/config';
import { createCrmApp } from './crm-app';
import { openDemoDatabase } from './demo-database';
import { demoLoginLines, seedDemoData } from './seed';

/** `npm run seed`: creates the demo data if the database has none, and prints the demo logins. */
async function seedCommand(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = pino({ name: 'demo-crm-seed', level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
  const database = await openDemoDatabase(config, logger);
  const auditLog = createAuditLog({ connection: database.connection, secret: config.AUDIT_LOG_SECRET, logger });
  try {
    const crm = await createCrmApp({ connection: database.connection, auditLog, logger });
    const { seeded } = await seedDemoData(crm.models);
    process.stdout.write(`${seeded ? 'Demo data created' : 'Demo data already present; nothing changed'} (${database.description}).\nDemo logins:\n${demoLoginLines().join('\n')}\n`);
  } finally {
    await auditLog.close();
    await database.close();
  }
}

seedCommand().catch((error: unknown) => {
  process.stderr.write(`seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
