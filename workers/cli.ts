#!/usr/bin/env node
import { runApiProcess } from '../server/main';
import { ConfigError } from '../server/config';
import { EVENT_LEAF_CODEC } from '../server/integrity';
import { keysCommand, verifyCommand } from './integrity.command';
import { runMigrateProcess, runWorkerProcess } from './main';
import { runVerifyCommand, VERIFY_USAGE } from './verify.command';

/** Each command: what it does in one line, and how it runs with the arguments after its name. */
const COMMANDS: Record<string, { summary: string; run: (args: string[]) => Promise<void> }> = {
  worker: { summary: 'run an export worker (BullMQ): MONGODB_URI, REDIS_URL, AUDIT_LOG_SECRET, …', run: () => runWorkerProcess() },
  api: { summary: 'run the standalone audit-log API: also API_TOKEN_SECRET, HOST, PORT, …', run: () => runApiProcess() },
  migrate: { summary: 'convert stored events to the current stored form (v2) and exit; resumable, idempotent', run: () => runMigrateProcess() },
  keys: { summary: "print the integrity log's public keys (keys --generate <name>: a new key pair)", run: (args) => keysCommand(args) },
  verify: {
    summary: 'check the tamper-evident log: verify --database --tenant <id>, or offline files (below; docs/INTEGRITY.md)',
    // The live database is one mode; files checked with the public key alone are the others.
    run: (args) => (args.includes('--database') ? verifyCommand(args) : runVerifyCommand(args, EVENT_LEAF_CODEC)),
  },
};

const USAGE = `Usage: crm-audit-log <command>

Commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(8)} ${summary}`)
  .join('\n')}

${VERIFY_USAGE}

Every setting of worker and api is an environment variable; see the package's README ("Configuration").`;

/** The package's bin: the audit log's own processes, configured by the environment, the keys and the verifier. */
async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command) return command.run(args);
  process.stdout.write(`${USAGE}\n`);
  process.exitCode = name === undefined || name === '--help' || name === 'help' ? 0 : 2;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `crm-audit-log ${process.argv[2] ?? ''} failed to start: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
