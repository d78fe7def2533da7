import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { HostVariant } from './host-variants';

export interface HostProcess {
  variant: HostVariant;
  pid: number;
  origin: string;
  control: string;
  mongooseVersion: string;
  stop(): Promise<void>;
}

/**
 * Starts bench/crm-host/host-child.ts for one variant. `--no-warnings` for every host alike:
 * mongoose 5's driver prints a circular-dependency warning per collection method on Node 20.
 * BENCH_PROFILE_DIR=/tmp/p writes a CPU profile per timed host (`host-<variant>.cpuprofile`).
 */
export function startHostProcess(uri: string, dbName: string, variant: HostVariant, options: { count?: boolean } = {}): Promise<HostProcess> {
  const profileDir = options.count ? undefined : process.env.BENCH_PROFILE_DIR;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=host-${variant.id}.cpuprofile`] : [];
  const script = join(__dirname, 'host-child.ts');
  const args = [...profile, '--no-warnings', '--require', join(__dirname, '../../test/helpers/swc-register.js'), script, uri, dbName, variant.id, ...(options.count ? ['--count'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ready, fail) => {
    let output = '';
    const failed = (code: number | null) => fail(new Error(`bench host ${variant.id} exited ${code} before listening`));
    child.once('exit', failed);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (!line) return;
      child.off('exit', failed);
      const { port, controlPort, mongoose } = JSON.parse(line) as { port: number; controlPort: number; mongoose: string };
      ready({ variant, pid: child.pid!, origin: `http://127.0.0.1:${port}`, control: `http://127.0.0.1:${controlPort}`, mongooseVersion: mongoose, stop: () => stopChild(child) });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}
