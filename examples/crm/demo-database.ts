import { join } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { TConfig } from '../../server/config';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../server/db/embedded-mongo';
import { databaseNameOf } from '../../server/runtime';

export interface DemoDatabase {
  connection: Connection;
  /** What the banner says the data lives in. */
  description: string;
  close(): Promise<void>;
}

/** MONGODB_URI, or a MongoDB-protocol server of its own in DATA_DIR (the demo's embedded default). */
export async function openDemoDatabase(config: TConfig, logger: Logger): Promise<DemoDatabase> {
  let embedded: EmbeddedMongo | undefined;
  let uri = config.MONGODB_URI;
  if (!uri) {
    embedded = await startEmbeddedMongo({ dataDir: join(config.DATA_DIR, 'mongo'), memoryServerTimeoutMs: 15_000, log: (line) => logger.info(line) });
    uri = embedded.uri;
    logger.info({ server: embedded.description }, 'MONGODB_URI unset: started an embedded MongoDB-protocol server');
  }
  try {
    const connection = await mongoose.createConnection(uri, { dbName: databaseNameOf(uri), serverSelectionTimeoutMS: 15_000 }).asPromise();
    return {
      connection,
      description: embedded ? embedded.description : 'MONGODB_URI',
      async close() {
        await connection.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    // A failed start must not leave the embedded server running behind the exiting process.
    await embedded?.stop();
    throw error;
  }
}
