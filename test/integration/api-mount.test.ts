import { TRPCClientError } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import express from 'express';
import pino from 'pino';
import superjson from 'superjson';
import { createAuditLogClient } from '../../client';
import { ObjectId } from 'mongodb';
import { createAuditLog, type AuditLog } from '../../plugins';
import { toEventDocument } from '../../server/events/event.document';
import { AUDIT_EVENTS_COLLECTION } from '../../server/events/event.model';
import { makeEvent } from '../helpers/test-events';
import { realmSafeFetch } from '../helpers/realm-safe-fetch';
import { errorCodeOf } from '../helpers/trpc-errors';
import { connectTestMongo, type TestMongo } from '../helpers/test-databases';
import { listenOnFreePort, type ListeningServer } from '../helpers/http-server';

/** A host CRM with its own tRPC instance and context, as examples/crm has. */
interface HostContext {
  tenantId: string;
  user: { id: string; name: string; email: string; role: 'admin' | 'member' } | null;
}

function buildHostRouter(audit: AuditLog) {
  const t = initTRPC.context<HostContext>().create({ transformer: superjson });
  return t.router({
    whoami: t.procedure.query(({ ctx }) => ctx.user?.name ?? 'anonymous'),
    auditLog: audit.router,
  });
}
type HostRouter = ReturnType<typeof buildHostRouter>;

const users: Record<string, HostContext['user']> = {
  'admin-token': { id: 'u-admin', name: 'Ada', email: 'ada@example.com', role: 'admin' },
  'member-token': { id: 'u-member', name: 'Max', email: 'max@example.com', role: 'member' },
};

describe('the audit-log router mounted in a host app router', () => {
  let mongo: TestMongo;
  let audit: AuditLog;
  let listening: ListeningServer;
  let url: string;
  const event = makeEvent({ tenantId: 'acme', occurredAt: new Date(), description: 'Updated deal' });

  beforeAll(async () => {
    mongo = await connectTestMongo('api_mount');
    audit = createAuditLog({
      connection: mongo.connection,
      logger: pino({ level: 'silent' }),
      secret: 'host-cursor-secret-0123456789abcdefghij',
      resolveCaller: (ctx: HostContext) => (ctx.user ? { tenantId: ctx.tenantId, actorId: ctx.user.id, actorName: ctx.user.name, role: ctx.user.role } : null),
      recordReads: false,
    });
    await audit.ready;
    await mongo.connection.collection(AUDIT_EVENTS_COLLECTION).insertOne(toEventDocument(event, (hex) => new ObjectId(hex)));
    const app = express();
    app.use(
      '/trpc',
      createExpressMiddleware({
        router: buildHostRouter(audit),
        // The host's own session handling: here a cookie naming the session.
        createContext: ({ req }): HostContext => ({ tenantId: 'acme', user: users[/session=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1] ?? ''] ?? null }),
      }),
    );
    listening = await listenOnFreePort(app);
    url = `${listening.origin}/trpc`;
  });

  afterAll(async () => {
    await listening.close();
    await audit.close();
    await mongo.drop();
  });

  const clientWithCookie = (cookie?: string) =>
    createAuditLogClient<HostRouter>({ url, fetch: realmSafeFetch, headers: () => (cookie ? { cookie } : {}) });

  it('serves auditLog.events.list next to the host’s own procedures, with the host’s context', async () => {
    const client = clientWithCookie('session=admin-token');
    expect(await client.whoami.query()).toBe('Ada');
    const page = await client.auditLog.events.list.query({});
    expect(page.items).toEqual([event]);
    expect(page.items[0]!.occurredAt).toBeInstanceOf(Date);
  });

  it('answers FORBIDDEN to a host member and UNAUTHORIZED to a visitor', async () => {
    expect(await errorCodeOf(clientWithCookie('session=member-token').auditLog.events.list.query({}))).toBe('FORBIDDEN');
    expect(await errorCodeOf(clientWithCookie().auditLog.events.list.query({}))).toBe('UNAUTHORIZED');
  });

  it('keeps validation messages readable under the host’s error formatter', async () => {
    const failure = await clientWithCookie('session=admin-token').auditLog.events.list.query({ limit: 500 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TRPCClientError);
    expect((failure as TRPCClientError<HostRouter>).message).toBe('limit: must be at most 200');
  });
});
