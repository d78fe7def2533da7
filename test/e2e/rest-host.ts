import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parse as parseCookies } from 'cookie';
import type express from 'express';
import type { Page } from 'playwright-core';
import pino from 'pino';
import { createAuditLog, type CreateAuditLogOptions } from '../../plugins';
import { connectTestMongo, connectTestRedis } from '../helpers/test-databases';
import { listenOnFreePort } from './listen';

/** Where this host mounts the audit log: not the demo's /audit-log, and two levels deep. */
export const REST_HOST_MOUNT = '/admin/audit';
export const REST_HOST_TENANT = 'northwind';
export const REST_HOST_PEOPLE = {
  ada: { id: 'u-ada', name: 'Ada Admin', role: 'admin' },
  max: { id: 'u-max', name: 'Max Member', role: 'member' },
} as const;
type Login = keyof typeof REST_HOST_PEOPLE;

const SESSION_COOKIE = 'nw_sid';
const SECRET = 'rest-host-secret-rest-host-secret-0123456789';

/**
 * A host that is not the demo CRM: plain express (4 or 5, passed in), its own cookie sessions and
 * sign-in form at /account/sign-in, no tRPC of its own. The audit log is mounted the way the README
 * tells a REST host to: `expressRouter({ adminPage: { signInUrl, signOutUrl } })` at REST_HOST_MOUNT,
 * which serves the API at `<mount>/trpc`, the downloads and the page.
 */
export async function startRestHost(label: string, expressModule: typeof express, extra: Pick<CreateAuditLogOptions, 'integrity' | 'readLimits' | 'live'> = {}, options: { redisUrl?: string } = {}) {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const mongo = await connectTestMongo(label);
  const redis = await connectTestRedis(label, options.redisUrl);
  const sessions = new Map<string, Login>();
  const personOf = (req: IncomingMessage) => {
    const login = sessions.get(parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE] ?? '');
    return login ? REST_HOST_PEOPLE[login] : null;
  };
  const auditLog = createAuditLog({
    connection: mongo.connection,
    redis: redis.redis,
    redisPrefix: redis.prefix,
    secret: SECRET,
    logger,
    tenantId: REST_HOST_TENANT,
    recorder: { flushIntervalMs: 20 },
    exports: { basePath: REST_HOST_MOUNT },
    ...extra,
    resolveActor: (req: IncomingMessage) => {
      const person = personOf(req);
      return person && { actor: { ...person, type: 'user' } };
    },
  });
  await auditLog.ready;

  const app = expressModule();
  app.use(auditLog.requestContext);
  app.get('/account/sign-in', (_req, res) => void res.type('html').send(SIGN_IN_PAGE));
  app.post('/account/sign-in', expressModule.urlencoded({ extended: false }), (req, res) => {
    const login = req.body.login as string;
    if (!(login in REST_HOST_PEOPLE)) return void res.status(401).send('Unknown login');
    const token = randomUUID();
    sessions.set(token, login as Login);
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/' });
    const back = String(req.query.return ?? '/');
    res.redirect(303, back.startsWith('/') && !back.startsWith('//') ? back : '/');
  });
  app.get('/account/sign-out', (req, res) => {
    sessions.delete(parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE] ?? '');
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/account/sign-in');
  });
  app.use(REST_HOST_MOUNT, auditLog.expressRouter({ adminPage: { signInUrl: '/account/sign-in?return={returnTo}', signOutUrl: '/account/sign-out' } }));

  const http = await listenOnFreePort(app);
  return {
    origin: http.origin,
    auditLog,
    mongo,
    /** Cuts every open connection (event streams included), as a restarting proxy would. */
    dropConnections: () => http.server.closeAllConnections(),
    async stop() {
      await http.close();
      await auditLog.close();
      await mongo.drop();
      await redis.cleanup();
    },
  };
}

export type RestHost = Awaited<ReturnType<typeof startRestHost>>;

/** Opens the page at the host's mount and signs in through the host's own form as Ada (admin). */
export async function signInToPage(page: Page, host: Pick<RestHost, 'origin'>): Promise<void> {
  await page.goto(`${host.origin}${REST_HOST_MOUNT}`);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Continue as Ada Admin' }).click();
  await page.waitForURL(`${host.origin}${REST_HOST_MOUNT}`);
}

/** The form posts to its own URL, `?return=…` included. */
const SIGN_IN_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Northwind sign-in</title></head><body>
<h1>Northwind sign-in</h1><form method="post">${Object.entries(REST_HOST_PEOPLE)
  .map(([login, person]) => `<button name="login" value="${login}">Continue as ${person.name}</button>`)
  .join('')}</form></body></html>`;
