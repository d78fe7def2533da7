import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { parse as parseCookies } from 'cookie';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Connection } from 'mongoose';
import pino, { type Logger } from 'pino';
import type { AuditLog } from '../../server/audit-log';
import { createExportDownloadRouter } from '../../server/exports/download.route';
import type { Services } from '../../server/services';
import { createAuditEvents } from '../../plugins/events/audit-events';
import { auditRequestContext } from '../../plugins/request-context/request-context.middleware';
import type { TrustProxySetting } from '../../plugins/request-context/client-ip';
import { createAdminUiRouter } from './admin-ui.route';
import { createAppRouter, type AppRouterDeps } from './app-router';
import { createAuthRepository, type ActiveSession, type AuthRepository } from './auth/auth.repository';
import { createCompaniesRepository } from './companies/companies.repository';
import { createContactsRepository } from './contacts/contacts.repository';
import { createContextFactory, SESSION_COOKIE, type CrmDeps } from './context';
import { ensureCrmIndexes, registerCrmModels } from './crm-models';
import { createDiscussionsRepository } from './discussions/discussions.repository';
import { createSimulatedProviders, type AccountingProviders } from './invoices/accounting-providers';
import { createInvoicesRepository } from './invoices/invoices.repository';
import { createOpportunitiesRepository } from './opportunities/opportunities.repository';
import { renderHomePage } from './home-page';

export interface CrmAppOptions {
  connection: Connection;
  auditLog: AuditLog;
  logger?: Logger;
  /** Default: simulated QuickBooks Online and Xero. */
  providers?: AccountingProviders;
  /** Believe X-Forwarded-For (behind a reverse proxy). */
  trustProxy?: TrustProxySetting;
  secureCookies?: boolean;
  /** The audit log's exports and notifications (from `openRuntime`); without them exports are off. */
  services?: Services;
  /** Signs the audit log's page cursors; a development default when absent. */
  cursorSecret?: string;
  /** The built admin UI (dist/admin-ui by default) served at /audit-log; `false` leaves it out. */
  adminUiDirectory?: string | false;
  /** `false`: no audit trail plugin on the models and no audit request context (the host-overhead benchmark's baseline). */
  auditTrail?: boolean;
}

const DEVELOPMENT_CURSOR_SECRET = 'crm-audit-log development cursor secret - never use in production';

/** The demo CRM as a host installs the audit log: session → audit context → routes. */
export async function createCrmApp(options: CrmAppOptions) {
  const logger = options.logger ?? pino({ name: 'demo-crm' });
  const auditTrail = options.auditTrail ?? true;
  const models = registerCrmModels(options.connection, auditTrail ? options.auditLog : null);
  await ensureCrmIndexes(models);
  const deps: CrmDeps = {
    logger,
    auditLog: options.auditLog,
    auditEvents: createAuditEvents(options.auditLog),
    providers: options.providers ?? createSimulatedProviders(),
    auth: createAuthRepository(models),
    contacts: createContactsRepository(models.contacts),
    companies: createCompaniesRepository(models.companies),
    opportunities: createOpportunitiesRepository(models.opportunities),
    discussions: createDiscussionsRepository(models.discussions, models.comments),
    invoices: createInvoicesRepository(models.invoices),
  };
  const appRouterDeps: AppRouterDeps = {
    auditLog: options.auditLog,
    cursorSecret: options.cursorSecret ?? DEVELOPMENT_CURSOR_SECRET,
    services: options.services,
  };
  const appRouter = createAppRouter(appRouterDeps);

  const app = express();
  app.disable('x-powered-by');
  app.use(helmet());
  app.use(resolveSession(deps.auth));
  if (auditTrail) {
    app.use(
      auditRequestContext<Request>({
        trustProxy: options.trustProxy ?? false,
        resolveActor: (req) => {
          const session = (req.res?.locals as { crmSession?: ActiveSession | null } | undefined)?.crmSession;
          if (!session) return null;
          const { id, name, email, role } = session.user;
          return { tenantId: session.tenantId, actor: { id, name, email, role, type: 'user' }, sessionId: session.auditId };
        },
      }),
    );
  }
  app.get('/', (_req, res) => void res.type('html').send(renderHomePage()));
  if (options.services) {
    const services = options.services;
    app.use(
      createExportDownloadRouter({
        exports: services.exports.repository,
        storage: services.exports.storage,
        signingSecret: services.exports.signingSecret,
        audit: options.auditLog,
        logger,
        resolveCaller: (req) => {
          const session = (req.res?.locals as { crmSession?: ActiveSession | null } | undefined)?.crmSession;
          return session ? { tenantId: session.tenantId, actorId: session.user.id, role: session.user.role } : null;
        },
      }),
    );
  }
  if (options.adminUiDirectory !== false) app.use(createAdminUiRouter(options.adminUiDirectory));
  app.use('/trpc', createExpressMiddleware({ router: appRouter, createContext: createContextFactory(deps, { secureCookies: options.secureCookies ?? false }) }));
  return { app, appRouter, deps, models };
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
