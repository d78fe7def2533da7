import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * A MongoDB-protocol server this process starts itself: for tests and for `npm start` when no
 * MONGODB_URI is configured. mongodb-memory-server when it can get a `mongod` binary (a user's
 * machine); otherwise FerretDB v1 on SQLite (built by .ci/install-ferretdb.sh).
 */
export interface EmbeddedMongo {
  kind: 'mongodb-memory-server' | 'ferretdb';
  uri: string;
  description: string;
  stop(): Promise<void>;
  /** Starts again on the same port with the same data (to test outages). */
  restart(): Promise<void>;
  /** Stops and deletes the data directory, when it is a temporary one. */
  dispose(): Promise<void>;
}

export interface EmbeddedMongoOptions {
  /** Keep data here; default: a fresh temporary directory, deleted by `dispose()`. */
  dataDir?: string;
  /** How long mongodb-memory-server may try to get a binary before we fall back. */
  memoryServerTimeoutMs?: number;
  preferFerret?: boolean;
  log?: (line: string) => void;
}

export const FERRETDB_VERSION = 'v1.24.2';

export function findFerretBinary(): string | undefined {
  const cacheDir = process.env.FERRETDB_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'crm-audit-log');
  const candidates = [process.env.FERRETDB_BIN, join(cacheDir, `ferretdb-${FERRETDB_VERSION}`)];
  return candidates.find((candidate): candidate is string => !!candidate && existsSync(candidate));
}

export async function startEmbeddedMongo(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const log = options.log ?? (() => undefined);
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  let noMemoryServer: string | undefined;
  if (!options.preferFerret) {
    const memoryServer = await tryMemoryServer(options);
    if (!('unavailable' in memoryServer)) return memoryServer;
    noMemoryServer = `mongodb-memory-server: ${memoryServer.unavailable}`;
  }
  const binary = findFerretBinary() ?? buildFerretBinary(log);
  if (!binary) {
    throw new Error(
      `${noMemoryServer ? `${noMemoryServer}; ` : ''}no MongoDB-protocol server available: set MONGODB_URI, let mongodb-memory-server download mongod, ` +
        'or install Go and run `bash .ci/install-ferretdb.sh` to build FerretDB.',
    );
  }
  if (noMemoryServer) log(`${noMemoryServer}, using FerretDB ${FERRETDB_VERSION}`);
  return startFerret(binary, options);
}

/** Builds FerretDB with .ci/install-ferretdb.sh when Go is installed (once; about a minute). */
function buildFerretBinary(log: (line: string) => void): string | undefined {
  if (spawnSync('go', ['version']).status !== 0) return undefined;
  let directory = __dirname;
  while (!existsSync(join(directory, '.ci', 'install-ferretdb.sh'))) {
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
  log('building FerretDB (first run only, about a minute)');
  spawnSync('bash', [join(directory, '.ci', 'install-ferretdb.sh')], { stdio: 'inherit' });
  return findFerretBinary();
}

type Unavailable = { unavailable: string };

/**
 * mongodb-memory-server when it can get a mongod, or why not, in a few words. The binary is looked up
 * (and downloaded) first, on its own: MongoMemoryServer.start() would print the whole download error
 * with its stack through console.warn (about 20 lines offline) before we fall back. A mongod that is
 * there but fails to start still prints its stack: that is a fault worth reading, not the usual case.
 */
async function tryMemoryServer(options: EmbeddedMongoOptions): Promise<EmbeddedMongo | Unavailable> {
  let memoryServer: typeof import('mongodb-memory-server');
  try {
    memoryServer = await import('mongodb-memory-server');
  } catch {
    return { unavailable: 'not installed' };
  }
  const { MongoBinary, MongoMemoryServer } = memoryServer;
  const timeoutMs = options.memoryServerTimeoutMs ?? 60_000;
  const started = (async (): Promise<InstanceType<typeof MongoMemoryServer> | Unavailable> => {
    try {
      await MongoBinary.getPath();
    } catch (error) {
      return { unavailable: `no mongod (offline? ${lastLine(error)})` };
    }
    return MongoMemoryServer.create(options.dataDir ? { instance: { dbPath: options.dataDir, storageEngine: 'wiredTiger' } } : {});
  })();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Unavailable>((done) => {
    timer = setTimeout(() => done({ unavailable: `no mongod within ${timeoutMs / 1_000} s (slow download?)` }), timeoutMs);
  });
  try {
    const server = await Promise.race([started, timedOut]);
    if ('unavailable' in server) {
      void started.then((late) => ('unavailable' in late ? undefined : late.stop()), () => undefined);
      return server;
    }
    return {
      kind: 'mongodb-memory-server',
      uri: server.getUri(),
      description: `mongodb-memory-server (mongod ${server.opts.binary?.version ?? 'default'})`,
      stop: async () => void (await server.stop({ doCleanup: false, force: false })),
      restart: async () => void (await server.start(true)),
      dispose: async () => void (await server.stop({ doCleanup: !options.dataDir, force: true })),
    };
  } catch (error) {
    return { unavailable: `mongod did not start (${lastLine(error)})` };
  } finally {
    clearTimeout(timer);
  }
}

/** The most specific line of an error: a download error's message ends with its cause ("getaddrinfo ENOTFOUND …"). */
function lastLine(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error)).split('\n').map((line) => line.trim());
  return lines.filter(Boolean).at(-1) ?? 'unknown error';
}

async function startFerret(binary: string, options: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  const temporary = !options.dataDir;
  const dataDir = options.dataDir ? resolve(options.dataDir) : mkdtempSync(join(tmpdir(), 'audit-ferretdb-'));
  mkdirSync(dataDir, { recursive: true });
  const port = await findFreePort();
  const debugPort = await findFreePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(
      binary,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${dataDir}/`,
        `--listen-addr=127.0.0.1:${port}`,
        `--debug-addr=127.0.0.1:${debugPort}`,
        '--telemetry=disable',
        // Its state file (telemetry id) goes with the data, not into the current directory.
        `--state-dir=${dataDir}`,
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4_000)));
    const exited = new Promise<never>((_, fail) =>
      child!.once('exit', (code) => fail(new Error(`ferretdb exited with code ${code}: ${stderr.trim()}`))),
    );
    await Promise.race([waitForPort(port, 20_000), exited]);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((done) => running.once('exit', done));
    running.kill('SIGTERM');
    const killTimer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killTimer);
  };

  await start();
  return {
    kind: 'ferretdb',
    uri: `mongodb://127.0.0.1:${port}/`,
    description: `FerretDB ${FERRETDB_VERSION} (SQLite backend, ${dataDir})`,
    stop,
    restart: start,
    dispose: async () => {
      await stop();
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function findFreePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (open) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
}
