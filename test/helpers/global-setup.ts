import { randomBytes } from 'node:crypto';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../server/db/embedded-mongo';

declare global {
  // eslint-disable-next-line no-var
  var __AUDIT_TEST_MONGO__: EmbeddedMongo | undefined;
}

/**
 * Picks the test database once per run: MONGODB_URI if set; else mongodb-memory-server when it can
 * get a mongod; else FerretDB (built on first use when Go is present, by startEmbeddedMongo). Hands on only a URI.
 */
export default async function globalSetup(): Promise<void> {
  // Shared by the integration and e2e projects: the first one to run starts the database.
  if (process.env.AUDIT_TEST_MONGODB_URI) return;
  process.env.AUDIT_TEST_RUN_ID ??= `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  if (process.env.MONGODB_URI) {
    process.env.AUDIT_TEST_MONGODB_URI = process.env.MONGODB_URI;
    process.env.AUDIT_TEST_MONGODB_KIND = 'external';
    log(`test database: MONGODB_URI (${redact(process.env.MONGODB_URI)})`);
    return;
  }
  const server = await startEmbeddedMongo({ memoryServerTimeoutMs: 60_000, log });
  globalThis.__AUDIT_TEST_MONGO__ = server;
  process.env.AUDIT_TEST_MONGODB_URI = server.uri;
  process.env.AUDIT_TEST_MONGODB_KIND = server.kind;
  log(`test database: ${server.description} at ${server.uri}`);
}

function log(line: string): void {
  process.stdout.write(`\n[test-setup] ${line}\n`);
}

function redact(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}
