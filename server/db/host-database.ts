import type { BSON as BsonModule, Collection, Db, Document, GridFSBucket, ObjectId } from 'mongodb';
import type { Connection } from 'mongoose';

/**
 * The database as the host's connection reaches it. Every value sent through that connection
 * (ObjectIds, BSON, GridFS buckets) is made with the driver the host's mongoose brought: a mongoose 8
 * host runs driver 6, which refuses driver 7's BSON ("Unsupported BSON version"), and the other way
 * round. Nothing in the audit log imports the `mongodb` package at run time.
 */
export interface HostDriver {
  ObjectId: typeof ObjectId;
  GridFSBucket: typeof GridFSBucket;
  BSON: typeof BsonModule;
}

export interface HostDatabase {
  readonly driver: HostDriver;
  /** A new id, or the id with this hex, as the host's driver makes them. */
  objectId(hex?: string): ObjectId;
  /** The database once the connection is open: it waits for the host's `connect()` if needed. */
  opened(): Promise<Db>;
  /** A collection of the opened database. */
  collection<T extends Document>(name: string): Promise<Collection<T>>;
  /** The database now; throws when the connection is not open (for code that only runs once it is). */
  openNow(): Db;
  readonly connection: Connection;
}

export function hostDatabase(connection: Connection): HostDatabase {
  const driver = (connection as unknown as { base?: { mongo?: Partial<HostDriver> } }).base?.mongo;
  if (!driver?.ObjectId || !driver.GridFSBucket || !driver.BSON) {
    throw new Error('crm-audit-log: pass a mongoose Connection (mongoose.connection or mongoose.createConnection(...))');
  }
  const hostDriver = driver as HostDriver;
  let opening: Promise<Db> | undefined;

  // `db` is set once the connection first opens and stays through outages (the driver reconnects;
  // operations meanwhile fail and are retried), so it, not readyState, says whether to wait.
  const opened = (): Promise<Db> => {
    if (connection.db) return Promise.resolve(connection.db as unknown as Db);
    // Models are often defined (and events recorded) before the host calls connect(): wait for it.
    opening ??= new Promise<Db>((resolve) => {
      const onOpen = () => {
        opening = undefined;
        resolve(connection.db as unknown as Db);
      };
      connection.once('open', onOpen);
    });
    return opening;
  };

  return {
    driver: hostDriver,
    objectId: (hex) => (hex === undefined ? new hostDriver.ObjectId() : new hostDriver.ObjectId(hex)),
    opened,
    async collection<T extends Document>(name: string) {
      return (await opened()).collection<T>(name);
    },
    openNow() {
      if (!connection.db) throw new Error('crm-audit-log: the MongoDB connection is not open');
      return connection.db as unknown as Db;
    },
    connection,
  };
}
