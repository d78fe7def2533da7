import mongoose from 'mongoose';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../server/db/embedded-mongo';

/** The server every benchmark runs against, and how the output names it. */
export interface BenchServer {
  uri: string;
  kind: 'mongodb' | 'ferretdb';
  /** E.g. "FerretDB v1.24.2 (SQLite backend)" or "MongoDB 7.0.14". */
  description: string;
  writeConcern: string;
  /** Only on a real MongoDB do explain and depth figures mean anything. */
  notes: string[];
  close(): Promise<void>;
}

const FERRETDB_NOTE =
  'FerretDB v1 sorts every query in memory and pushes no range or sort down to its backend (SQLite pushes down only _id): every page is a scan. Read the ratios of our code against the raw driver on the same server, not absolute latency or depth scaling.';

/**
 * `MONGODB_URI` when set (the parent `npm run bench` passes its server on, with BENCH_SERVER
 * describing it), otherwise an embedded server started here and stopped by `close()`.
 */
export async function openBenchServer(): Promise<BenchServer> {
  let embedded: EmbeddedMongo | undefined;
  const uri = process.env.MONGODB_URI ?? (embedded = await startEmbeddedMongo()).uri;
  const probe = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  try {
    const info = (await probe.db!.admin().command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
    const kind = info.ferretdbVersion ? 'ferretdb' : 'mongodb';
    const description =
      process.env.BENCH_SERVER ?? embedded?.description.replace(/, \/tmp\/[^)]*/, '') ?? (info.ferretdbVersion ? `FerretDB ${info.ferretdbVersion} (backend not reported)` : `MongoDB ${info.version ?? '?'}`);
    const configured = probe.getClient().options.writeConcern as unknown;
    const writeConcern = configured && Object.keys(configured).length > 0 ? JSON.stringify(configured) : 'server default (none set in the URI or by the code: w:1 on FerretDB, the cluster default on MongoDB)';
    return {
      uri,
      kind,
      description,
      writeConcern,
      notes: kind === 'ferretdb' ? [FERRETDB_NOTE] : [],
      close: async () => void (await embedded?.dispose()),
    };
  } finally {
    await probe.close();
  }
}
