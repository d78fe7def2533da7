import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { MongoClient } from 'mongodb';
import { connectTestRedis, testMongoUri, uniqueName } from './test-databases';

/**
 * The package as a host gets it: `npm pack` of a copy of the repository (so the working tree's dist/
 * is never touched while other suites run), once per test run, shared by every suite that asks.
 */
const ROOT = resolve(__dirname, '../..');

/** Where this test run packs (removed by the global teardown). */
export const packDirectory = () => join(tmpdir(), `crm-audit-log-pack-${process.env.AUDIT_TEST_RUN_ID ?? 'local'}`);

export function packedTarball(): string {
  const runDir = packDirectory();
  const done = join(runDir, 'tarball-path');
  mkdirSync(dirname(runDir), { recursive: true });
  try {
    mkdirSync(runDir); // the first suite to get here packs; the others wait for its answer
  } catch {
    return waitForFile(done, 300_000);
  }
  const copy = join(runDir, 'source');
  // A symlinked node_modules is not matched by .gitignore's `node_modules/` (not a directory): skip it by name.
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => file && file !== 'node_modules' && !file.startsWith('node_modules/'));
  for (const file of files) {
    if (!existsSync(join(ROOT, file))) continue;
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(ROOT, file), join(copy, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', runDir], { cwd: copy, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const [packed] = JSON.parse(output.slice(output.indexOf('['))) as Array<{ filename: string }>;
  const tarball = join(runDir, packed!.filename);
  writeFileSync(done, tarball);
  return tarball;
}

function waitForFile(file: string, timeoutMs: number): string {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`no tarball after ${timeoutMs} ms`);
    execFileSync('sleep', ['0.5']);
  }
  return readFileSync(file, 'utf8');
}

/** The code blocks of docs/INSTALL.md titled `<prefix>…`, by path below the prefix. */
export function recipeFiles(prefix: string): Record<string, string> {
  const markdown = readFileSync(join(ROOT, 'docs/INSTALL.md'), 'utf8');
  const files: Record<string, string> = {};
  for (const match of markdown.matchAll(/```\w+ title="([^"]+)"\n([\s\S]*?)```/g)) {
    const [, title, body] = match;
    if (title!.startsWith(prefix)) files[title!.slice(prefix.length)] = body!;
  }
  return files;
}

export interface HostProject {
  dir: string;
  /** A file below node_modules/.bin. */
  bin(name: string): string;
  /** Installed packages and their size, as `du` and the package manifests count them. */
  footprint(): { packages: number; megabytes: number };
  remove(): void;
}

/** A new project outside the repository: the recipe's files, then `npm install` of its dependencies and the tarball. */
export function createHostProject(name: string, options: { type: 'commonjs' | 'module'; dependencies: string[]; files: Record<string, string> }): HostProject {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, private: true, type: options.type, version: '1.0.0' }, null, 2)}\n`);
  for (const [path, content] of Object.entries(options.files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...options.dependencies], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  return {
    dir,
    bin: (binName) => join(dir, 'node_modules', '.bin', binName),
    footprint: () => footprintOf(join(dir, 'node_modules')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function footprintOf(nodeModules: string): { packages: number; megabytes: number } {
  const kilobytes = Number(execFileSync('du', ['-sk', nodeModules], { encoding: 'utf8' }).split('\t')[0]);
  return { packages: installedManifests(nodeModules).length, megabytes: Math.round(kilobytes / 102.4) / 10 };
}

/** Every installed package's package.json (nested installs included). */
export function installedManifests(nodeModules: string): Array<{ name: string; scripts?: Record<string, string> }> {
  const manifests: Array<{ name: string; scripts?: Record<string, string> }> = [];
  const visit = (folder: string) => {
    if (!existsSync(folder)) return;
    for (const entry of readdirSync(folder)) {
      if (entry.startsWith('.')) continue;
      const path = join(folder, entry);
      if (entry.startsWith('@')) {
        visit(path);
        continue;
      }
      const manifest = join(path, 'package.json');
      if (existsSync(manifest)) manifests.push(JSON.parse(readFileSync(manifest, 'utf8')) as { name: string });
      visit(join(path, 'node_modules'));
    }
  };
  visit(nodeModules);
  return manifests;
}

export interface HostProcess {
  child: ChildProcess;
  /** The port it printed (`listening on <port>`), when it is a server. */
  port: number | undefined;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a host script (or bin) and waits until its output matches `ready`. */
export async function startHostProcess(command: string, args: string[], options: { cwd: string; env: Record<string, string>; ready: RegExp; timeoutMs?: number }): Promise<HostProcess> {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-64_000));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const match = await new Promise<RegExpMatchArray>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`${command} ${args.join(' ')} not ready within ${options.timeoutMs ?? 60_000} ms:\n${output}`)), options.timeoutMs ?? 60_000);
    const check = () => {
      const found = options.ready.exec(output);
      if (found) {
        clearTimeout(timer);
        ready(found);
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`${command} ${args.join(' ')} exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    child,
    port: match[1] ? Number(match[1]) : undefined,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * The databases a packed host runs against: its own database and Redis prefix, the environment its
 * processes get (the secrets given plus MongoDB, Redis and a free port), and a raw driver client
 * for the test's own checks. `close()` drops the database and the prefix's keys.
 */
export async function openHostDatabases(label: string, secrets: Record<string, string>) {
  const dbName = uniqueName(label);
  const redis = await connectTestRedis(label);
  const mongo = await new MongoClient(testMongoUri()).connect();
  const env: Record<string, string> = {
    ...secrets,
    MONGODB_URI: `${testMongoUri()}${dbName}`,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: redis.prefix,
    PORT: '0',
  };
  return {
    env,
    db: () => mongo.db(dbName),
    async close() {
      await mongo.db(dbName).dropDatabase().catch(() => undefined);
      await mongo.close();
      await redis.cleanup();
    },
  };
}
