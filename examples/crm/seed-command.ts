import pino from 'pino';
import { loadConfigOrExit } from '../../server/config';
import { createCrmApp } from './crm-app';
import { openRuntime } from '../../server/runtime';
import { demoLoginLines, seedDemoData } from './seed';

/** `npm run seed`: creates the demo data if the database has none, and prints the demo logins. */
async function seedCommand(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = pino({ name: 'demo-crm-seed', level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
  const runtime = await openRuntime(config, logger);
  try {
    const crm = await createCrmApp({ connection: runtime.connection, auditLog: runtime.audit, logger });
    const { seeded } = await seedDemoData(crm.models);
    process.stdout.write(`${seeded ? 'Demo data created' : 'Demo data already present; nothing changed'} (${runtime.databaseDescription}).\nDemo logins:\n${demoLoginLines().join('\n')}\n`);
  } finally {
    await runtime.close();
  }
}

seedCommand().catch((error: unknown) => {
  process.stderr.write(`seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
