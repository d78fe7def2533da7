import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { parse as parseCookies } from 'cookie';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Connection } from 'mongoose';
import pino, { type Logger } from 'pino';
import { auditLogResponseMeta, type AuditLog, type ResolvedActor, type TrustProxySetting } from '../../plugins';
import { createAppRouter } from './app-router';
import { createAuthRepository, type ActiveSession, type AuthRepository } from './auth/auth.repository';
import { createSignInProtection, type SignInProtectionOptions } from './auth/sign-in-protection';
import { createCompaniesRepository } from './companies/companies.repository';
import { createContactsRepository } from './contacts/contacts.repository';
import { createContextFactory, SESSION_COOKIE, type CrmDeps } from './context';
import { ensureCrmIndexes, registerCrmModels } from './crm-models';
import { createDiscussionsRepository } from './discussions/discussions.repository';
import { createSimulatedProviders, type AccountingProviders } from './invoices/accounting-providers';
import { createInvoicesRepository } from './invoices/invoices.repository';
import { createOpportunitiesRepository } from './opportunities/opportunities.repository';
import { renderHomePage } from './home-page';
import { CRM_BODY_LIMIT_BYTES, errorsAsJson, notFoundAsJson, refuseForeignMutations, refuseOversizedBodies } from './http-guards';
import { createLoginPageRouter, DEMO_ADMIN_PAGE } from './login-page';

export interface CrmAppOptions {
  connection: Connection;
  auditLog: AuditLog;
  logger?: Logger;
  /** Default: simulated QuickBooks Online and Xero. */
  providers?: AccountingProviders;
  secureCookies?: boolean;
  /** Serve the built admin page at /audit-log (default true). */
  adminPage?: boolean;
  /** `false`: no audit trail plugin on the models and no audit request context (the host-overhead benchmark's baseline). */
  auditTrail?: boolean;
  /** Believe X-Forwarded-For (and -Proto) for the client IP sign-ins are throttled by; as createAuditLog's. Default false. */
  trustProxy?: TrustProxySetting;
  /** The CRM's public URL: mutations must come from its origin (default: the origin each request was addressed to). */
  publicUrl?: string;
  /** Throttling and failed sign-in counting (tests shorten the windows). */
  signIns?: SignInProtectionOptions;
}

/**
 * The audit log's one adapter to this CRM's authentication (createAuditLog's `resolveActor`): the
 * session the CRM's own middleware resolved, or null.
 */
export function crmActorOf(req: Request): ResolvedActor | null {
  const session = (req.res?.locals as { crmSession?: ActiveSession | null } | undefined)?.crmSession;
  if (!session) return null;
  const { id, name, email, role } = session.user;
  return { tenantId: session.tenantId, actor: { id, name, email, role, type: 'user' }, sessionId: session.auditId };
}

/** The demo CRM as a host installs the audit log: session → audit context → routes. */
export async function createCrmApp(options: CrmAppOptions) {
  const logger = options.logger ?? pino({ name: 'demo-crm' });
  const auditTrail = options.auditTrail ?? true;
  const models = registerCrmModels(options.connection, auditTrail ? options.auditLog : null);
  await ensureCrmIndexes(models);
  const deps: CrmDeps = {
    logger,
    auditLog: options.auditLog,
    auditEvents: options.auditLog.events,
    providers: options.providers ?? createSimulatedProviders(),
    auth: createAuthRepository(models),
    signIns: createSignInProtection(options.auditLog, logger, options.signIns),
    contacts: createContactsRepository(models.contacts),
    companies: createCompaniesRepository(models.companies),
    opportunities: createOpportunitiesRepository(models.opportunities),
    discussions: createDiscussionsRepository(models.discussions, models.comments),
    invoices: createInvoicesRepository(models.invoices),
  };
  const appRouter = createAppRouter(options.auditLog);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  app.use(helmet());
  // First, so that every answer (errors included) carries the request id.
  if (auditTrail) app.use(options.auditLog.requestContext);
  app.use(refuseOversizedBodies(CRM_BODY_LIMIT_BYTES));
  // Before the session lookup: a forged request costs no database read.
  app.use('/trpc', refuseForeignMutations({ publicOrigin: options.publicUrl && new URL(options.publicUrl).origin }));
  app.use(resolveSession(deps.auth));
  app.get('/', (_req, res) => void res.type('html').send(renderHomePage()));
  // Sign-in pages, downloads and the admin page; the API itself is mounted in the CRM's own router (app-router.ts).
  app.use(createLoginPageRouter());
  app.use('/audit-log', options.auditLog.expressRouter({ api: false, adminPage: options.adminPage === false ? false : DEMO_ADMIN_PAGE }));
  app.use(
    '/trpc',
    createExpressMiddleware({
      router: appRouter,
      createContext: createContextFactory(deps, { secureCookies: options.secureCookies ?? false }),
      // Cut at the limit; refuseOversizedBodies closes the connection after the 413.
      maxBodySize: CRM_BODY_LIMIT_BYTES,
      // The audit log's client batches at most 10 calls; a larger batch (200 facets: 42 s of database work) is refused with 400.
      maxBatchSize: 10,
      // An audit-log read refused as too many at once (429) says when to retry.
      responseMeta: auditLogResponseMeta,
    }),
  );
  app.use(notFoundAsJson);
  app.use(errorsAsJson(logger));
  /** Records pending failed sign-in counts; call before closing the audit log. */
  const close = () => deps.signIns.close();
  return { app, appRouter, deps, models, close };
}

export type CrmApp = Awaited<ReturnType<typeof createCrmApp>>;

/** The host's own authentication: one read of the session by its cookie. */
function resolveSession(auth: AuthRepository) {
  return (req: Request, res: Response, next: NextFunction) => {
    const token = parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE];
    if (!token) return next();
    res.locals.sessionToken = token;
    auth
      .findSession(token)
      .then((session) => {
        res.locals.crmSession = session;
        next();
      })
      .catch(next);
  };
}
