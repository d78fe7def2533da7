#!/usr/bin/env node
import { runApiProcess } from '../server/main';
import { ConfigError } from '../server/config';
import { runMigrateProcess, runWorkerProcess } from './main';

const USAGE = `Usage: crm-audit-log <command>

Commands:
  worker   run an export worker (BullMQ): MONGODB_URI, REDIS_URL, AUDIT_LOG_SECRET, …
  api      run the standalone audit-log API: also API_TOKEN_SECRET, HOST, PORT, …
  migrate  convert stored events to the current stored form (v2) and exit; resumable, idempotent

Every setting is an environment variable; see the package's README ("Configuration").`;

/** The package's bin: the audit log's own processes, configured by the environment. */
async function main(argv: string[]): Promise<void> {
  const command = argv[0];
  if (command === 'worker') return runWorkerProcess();
  if (command === 'api') return runApiProcess();
  if (command === 'migrate') return runMigrateProcess();
  process.stdout.write(`${USAGE}\n`);
  process.exitCode = command === undefined || command === '--help' || command === 'help' ? 0 : 2;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `crm-audit-log ${process.argv[2] ?? ''} failed to start: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
