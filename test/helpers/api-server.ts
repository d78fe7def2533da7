import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ObjectId } from 'mongodb';
import pino from 'pino';
import type { TRPCClient } from '@trpc/client';
import { createAuditLogClient, type AuditLogApiRouter } from '../../client';
import { createApp } from '../../server/app';
import type { AuditServer } from '../../server/audit-server';
import { signApiToken } from '../../server/auth/api-token';
import { withoutUndefined } from '../../server/common/without-undefined';
import { toEventDocument } from '../../server/events/event.document';
import { AUDIT_EVENTS_COLLECTION } from '../../server/events/event.model';
import type { TAuditEvent } from '../../server/events/event.schema';
import type { TAuditCaller } from '../../server/access';
import { bearerIdentity, openTestAuditServer } from './audit-stack';
import { connectTestMongo, connectTestRedis, type TestMongo, type TestRedis } from './test-databases';

export const API_TOKEN_SECRET = 'test-api-token-secret-0123456789abcdef';

export const admin = (tenantId: string, actorId = `admin-${tenantId}`): TAuditCaller => ({ tenantId, actorId, actorName: 'Ada Admin', role: 'admin' });
export const member = (tenantId: string): TAuditCaller => ({ tenantId, actorId: `member-${tenantId}`, actorName: 'Max Member', role: 'member' });

export interface ApiServer {
  mongo: TestMongo;
  redis: TestRedis;
  server: AuditServer;
  audit: { flush(): Promise<void> };
  url: string;
  origin: string;
  client(caller: TAuditCaller | null): TRPCClient<AuditLogApiRouter>;
  tokenFor(caller: TAuditCaller): string;
  /** Inserts complete events straight through the driver (much faster than record()). */
  seed(events: TAuditEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** The standalone API on a free port, over a fresh database and Redis prefix. */
export async function startApiServer(label: string, options: { recordReads?: boolean; corsOrigins?: string[]; pageStreams?: false } = {}): Promise<ApiServer> {
  const mongo = await connectTestMongo(label);
  const redis = await connectTestRedis(label);
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const auditServer = await openTestAuditServer(mongo, redis, logger, {
    recorder: {},
    resolveActor: bearerIdentity(API_TOKEN_SECRET),
    recordReads: options.recordReads ?? false,
    pageStreams: options.pageStreams,
  });
  const app = createApp({
    server: auditServer,
    logger,
    corsOrigins: options.corsOrigins ?? [],
    bodyLimitBytes: 100_000,
    readiness: { mongo: mongo.connection, redis: redis.redis },
  });
  const server: Server = await new Promise((ready) => {
    const listening = app.listen(0, '127.0.0.1', () => ready(listening));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `${origin}/trpc`;
  const tokenFor = (caller: TAuditCaller) => signApiToken(caller, API_TOKEN_SECRET);

  return {
    mongo,
    redis,
    server: auditServer,
    audit: { flush: auditServer.services.flush },
    url,
    origin,
    tokenFor,
    client: (caller) =>
      createAuditLogClient({ url, fetch: realmSafeFetch, headers: () => (caller ? { authorization: `Bearer ${tokenFor(caller)}` } : {}) }),
    async seed(events) {
      const collection = mongo.connection.collection(AUDIT_EVENTS_COLLECTION);
      for (let start = 0; start < events.length; start += 1_000) {
        await collection.insertMany(events.slice(start, start + 1_000).map((event) => toEventDocument(event, (hex) => new ObjectId(hex))), { ordered: false });
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      await auditServer.close();
      await mongo.drop();
      await redis.cleanup();
    },
  };
}

/**
 * Jest runs tests in a vm realm, while Node's fetch parses JSON in the main realm: superjson then
 * sees objects whose prototype is another realm's Object and leaves their dates as strings.
 * Parsing the body here, in the test realm, gives what a browser or plain Node process sees.
 */
const nodeFetch = globalThis.fetch;
export const realmSafeFetch: typeof fetch = async (input, init) => {
  const response = await nodeFetch(input, init);
  // The body stays a stream (server-sent events read it); only json() parses in this realm.
  return Object.assign(response, { json: async () => JSON.parse(await response.text()) as unknown });
};

/** A complete stored event; `overrides` set what a test cares about. */
export function makeEvent(overrides: Partial<TAuditEvent> & { tenantId: string; occurredAt: Date }): TAuditEvent {
  return withoutUndefined({
    id: new ObjectId().toHexString(),
    receivedAt: overrides.occurredAt,
    actor: { id: 'user-1', name: 'User One', type: 'user' },
    action: 'record.updated',
    description: 'Updated a record',
    changes: [],
    editCount: 0,
    status: 'success',
    context: {},
    ...overrides,
  });
}

/** Newest first, ties broken by id: the order the API promises. */
export function newestFirst(events: TAuditEvent[]): TAuditEvent[] {
  return [...events].sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}
