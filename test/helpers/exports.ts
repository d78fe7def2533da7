import { fork, type ChildProcess } from 'node:child_process';
import { STACK_SECRET, type AuditStack } from './audit-stack';
import { testMongoUri } from './test-databases';
import type { TAuditCaller } from '../../server/access';

type Client = ReturnType<AuditStack['client']>;
export type ExportView = Awaited<ReturnType<Client['auditLog']['exports']['byId']['query']>>;

/** Polls an export until it reaches one of `statuses` (tests only; the UI uses the notification). */
export async function waitForExport(client: Client, id: string, statuses: string[] = ['completed'], timeoutMs = 300_000): Promise<ExportView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await client.auditLog.exports.byId.query({ id });
    if (statuses.includes(view.status)) return view;
    if (['failed', 'cancelled', 'completed'].includes(view.status)) throw new Error(`export ${id} ended ${view.status}, expected ${statuses.join('/')}: ${view.failureReason ?? ''}`);
    if (Date.now() > deadline) throw new Error(`export ${id} still ${view.status} after ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

/** A download as `caller` (a bearer token: the standalone API's session), or with no session at all. */
export async function download(stack: AuditStack, url: string, caller: TAuditCaller | null): Promise<Response> {
  return fetch(new URL(url, stack.origin), { headers: caller ? { authorization: `Bearer ${stack.tokenFor(caller)}` } : {} });
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves with the next IPC message that `accept` takes. */
  nextMessage<T>(accept: (message: unknown) => T | undefined): Promise<T>;
  kill(): Promise<void>;
}

/** An export worker in its own process (test/fixtures/export-worker-process.ts) on the stack's database and Redis prefix, once it is ready. */
export function startWorkerProcess(stack: AuditStack, env: Record<string, string> = {}): Promise<WorkerProcess> {
  return forkWorkerProcess({ mongoUri: testMongoUri(), dbName: stack.mongo.dbName, redisPrefix: stack.redis.prefix, secret: STACK_SECRET }, env);
}

export async function forkWorkerProcess(target: { mongoUri: string; dbName: string; redisPrefix: string; secret: string }, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = fork(require.resolve('../fixtures/export-worker-process.ts'), [], {
    execArgv: ['--require', require.resolve('./swc-register.js')],
    env: {
      ...process.env,
      FIXTURE_MONGODB_URI: target.mongoUri,
      FIXTURE_DB_NAME: target.dbName,
      FIXTURE_REDIS_PREFIX: target.redisPrefix,
      FIXTURE_SECRET: target.secret,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const nextMessage = <T>(accept: (message: unknown) => T | undefined) =>
    new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`worker fixture exited with ${code}`));
      const onMessage = (message: unknown) => {
        const accepted = accept(message);
        if (accepted === undefined) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(accepted);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  await nextMessage((message) => (message === 'ready' ? true : undefined));
  return {
    child,
    nextMessage,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
