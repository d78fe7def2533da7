#!/usr/bin/env node
import { runApiProcess } from '../server/main';
import { ConfigError } from '../server/config';
import { keysCommand, verifyCommand } from './integrity.command';
import { runWorkerProcess } from './main';

const USAGE = `Usage: crm-audit-log <command>

Commands:
  worker   run an export worker (BullMQ): MONGODB_URI, REDIS_URL, AUDIT_LOG_SECRET, …
  api      run the standalone audit-log API: also API_TOKEN_SECRET, HOST, PORT, …
  keys     print the integrity log's public keys (keys --generate <name>: a new key pair)
  verify   check the tamper-evident log: verify --database --tenant <id> (see docs/INTEGRITY.md)

Every setting is an environment variable; see the package's README ("Configuration").`;

/** The package's bin: the audit log's own processes, configured by the environment. */
const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  worker: () => runWorkerProcess(),
  api: () => runApiProcess(),
  keys: (argv) => keysCommand(argv),
  verify: (argv) => verifyCommand(argv),
};

async function main(argv: string[]): Promise<void> {
  const command = argv[0];
  const run = command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (run) return run(argv.slice(1));
  process.stdout.write(`${USAGE}\n`);
  process.exitCode = command === undefined || command === '--help' || command === 'help' ? 0 : 2;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `crm-audit-log ${process.argv[2] ?? ''} failed to start: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
