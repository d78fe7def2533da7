/**
 * What an audit/history plugin is to the bench: how a host installs it, where it keeps what it
 * captured, and that stored form turned into one shape the bench can judge (`CapturedEntry`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connection, Schema } from 'mongoose';
import type { MongooseModule } from './contact-model';

export interface CapturedField {
  /** Dotted path as the plugin named it (`address.city`, `activity.2` for a pushed element). */
  path: string;
  before?: unknown;
  after?: unknown;
  hasBefore: boolean;
  hasAfter: boolean;
}

export interface CapturedEntry {
  /** The records the entry is about: their ids, or only a count (a multi-record event). */
  recordIds: string[];
  recordCount: number;
  /** `change`: the plugin keeps a change without saying whether it created, updated or deleted. */
  kind: 'created' | 'updated' | 'deleted' | 'change';
  fields: CapturedField[];
  /** Who acted, when the plugin knows. */
  actor?: string;
}

export interface CaptureHost {
  mongoose: MongooseModule;
  connection: Connection;
  schema: Schema;
  /** `require` from the plugin's folder (its own node_modules). */
  requireModule(name: string): any;
}

export interface InstalledCapture {
  /** Express middleware the plugin needs before the host's routes. */
  requestContext?: (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
  /** Resolves once its start-up work (indexes) is done. */
  ready: Promise<void>;
  /** Resolves once everything captured so far is stored (a no-op for plugins that write on the request path). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface CaptureAdapter {
  id: string;
  /** Name and version, as the table shows it. */
  label: string;
  /** bench/peers/<folder> when the plugin needs its own mongoose; none: the repository's mongoose 9. */
  folder?: string;
  /** The collection it writes what it captured to. */
  store: string;
  /** Collections it writes beside `store` (counted as its writes, not the host's). */
  otherStores?: string[];
  /** Where it writes: on the request path (awaited before the response) or after it. */
  writes: 'request path' | 'after the response';
  install(host: CaptureHost): InstalledCapture;
  normalise(stored: Record<string, unknown>): CapturedEntry;
}

export const NO_CAPTURE: InstalledCapture = { ready: Promise.resolve(), flush: async () => undefined, close: async () => undefined };

/** JSON-shaped copy (ObjectIds and dates as strings): how values are compared. */
export const jsonOf = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
