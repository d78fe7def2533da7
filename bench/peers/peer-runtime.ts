/**
 * Loading a host's mongoose: the repository's (9) or a peer folder's own (5, 6 or 8), installed
 * here on first use from the folder's package.json and lock file (`npm ci`, no install scripts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import type { MongooseModule } from '../crm-host/contact-model';

export const PEERS_DIRECTORY = __dirname;

/** `require` as seen from a peer folder (its node_modules), or from the repository. */
export function requireFrom(folder: string | undefined): NodeRequire {
  return folder ? createRequire(join(PEERS_DIRECTORY, folder, 'package.json')) : require;
}

function installedAsPinned(directory: string): boolean {
  const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  return Object.entries(manifest.dependencies).every(([name, version]) => {
    const installed = join(directory, 'node_modules', name, 'package.json');
    return existsSync(installed) && (JSON.parse(readFileSync(installed, 'utf8')) as { version: string }).version === version;
  });
}

/** Installs a peer folder's pinned dependencies unless they are there already (a few seconds from the npm cache). */
export function ensurePeerInstalled(folder: string, log: (line: string) => void = () => undefined): void {
  const directory = join(PEERS_DIRECTORY, folder);
  if (installedAsPinned(directory)) return;
  log(`installing bench/peers/${folder} (npm ci)`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: directory, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0 || !installedAsPinned(directory)) throw new Error(`could not install bench/peers/${folder} (npm ci exited ${result.status})`);
}

export interface HostMongoose {
  mongoose: MongooseModule;
  major: number;
}

/** mongoose for a host, with what each old major needs to talk to FerretDB v1 like a current one. */
export function loadMongoose(folder: string | undefined): HostMongoose {
  const load = requireFrom(folder);
  const mongoose = load('mongoose') as MongooseModule;
  const major = Number(mongoose.version.split('.')[0]);
  if (major === 5) {
    (mongoose as unknown as { set(key: string, value: unknown): void }).set('useFindAndModify', false);
    dropEmptyProjections(load('mongodb'));
  }
  return { mongoose, major };
}

/**
 * mongoose 5 sends `fields: {}` with every findOneAndUpdate; MongoDB ignores an empty projection,
 * FerretDB v1 refuses it ("support for field fields … is not implemented yet"). Dropping it changes
 * nothing else, so the mongoose 5 host (with and without its plugin) can run the same endpoints.
 */
function dropEmptyProjections(driver: { Collection: { prototype: Record<string, unknown> } }): void {
  const prototype = driver.Collection.prototype;
  for (const name of ['findOneAndUpdate', '_findAndModify']) {
    const original = prototype[name] as (...args: unknown[]) => unknown;
    prototype[name] = function (this: unknown, ...args: unknown[]) {
      for (const argument of args) {
        const options = argument as { projection?: object } | null;
        if (options && typeof options === 'object' && options.projection && Object.keys(options.projection).length === 0) delete options.projection;
      }
      return original.apply(this, args);
    };
  }
}

/** A connection of any of these majors, open; `monitorCommands` makes its client emit command events. */
export async function openConnection(host: HostMongoose, uri: string, dbName: string, monitorCommands = false): Promise<Connection> {
  const legacy = host.major === 5 ? { useNewUrlParser: true, useUnifiedTopology: true, useCreateIndex: true } : {};
  const connection = host.mongoose.createConnection(uri, { dbName, monitorCommands, serverSelectionTimeoutMS: 10_000, ...legacy });
  if (typeof connection.asPromise === 'function') return connection.asPromise();
  await new Promise<void>((opened, failed) => {
    connection.once('open', () => opened());
    connection.once('error', failed);
  });
  return connection;
}

/** The driver client of a connection (mongoose 5 has no getClient()). */
export function clientOf(connection: Connection): { on(event: string, listener: (event: any) => void): unknown } {
  const legacy = connection as unknown as { client?: never; getClient?: () => never };
  return typeof legacy.getClient === 'function' ? legacy.getClient() : legacy.client!;
}
