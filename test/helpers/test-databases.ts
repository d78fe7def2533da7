import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';

/** Each suite gets its own database and Redis prefix, so suites and runs never collide. */
export function uniqueName(label: string): string {
  const run = process.env.AUDIT_TEST_RUN_ID ?? 'local';
  return `${run}_${label}_${randomBytes(3).toString('hex')}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 60);
}

export function testMongoUri(): string {
  const uri = process.env.AUDIT_TEST_MONGODB_URI;
  if (!uri) throw new Error('AUDIT_TEST_MONGODB_URI is not set: run integration tests through jest (global setup starts the server)');
  return uri;
}

export interface TestMongo {
  connection: Connection;
  dbName: string;
  drop(): Promise<void>;
}

export async function connectTestMongo(label: string, uri = testMongoUri()): Promise<TestMongo> {
  const dbName = uniqueName(label);
  const connection = await mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 10_000 }).asPromise();
  return {
    connection,
    dbName,
    async drop() {
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  };
}

/** Another connection to a database a suite already owns (a second API instance): closing it keeps the data. */
export async function joinTestMongo(dbName: string, uri = testMongoUri()): Promise<TestMongo> {
  const connection = await mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 10_000 }).asPromise();
  return { connection, dbName, drop: () => connection.close() };
}

export interface TestRedis {
  redis: Redis;
  /** Use as REDIS_PREFIX / BullMQ prefix: every key this suite writes starts with it. */
  prefix: string;
  cleanup(): Promise<void>;
}

export async function connectTestRedis(label: string, url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'): Promise<TestRedis> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const prefix = `audit-test:${uniqueName(label)}`;
  return {
    redis,
    prefix,
    async cleanup() {
      await deleteKeysWithPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

/** Another connection under a prefix a suite already owns: cleaning up only disconnects. */
export function joinTestRedis(prefix: string, url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'): TestRedis {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  return { redis, prefix, cleanup: async () => void redis.disconnect() };
}

export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
