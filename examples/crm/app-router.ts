import { authRouter } from './auth/auth.router';
import { companiesRouter } from './companies/companies.router';
import { contactsRouter } from './contacts/contacts.router';
import { discussionsRouter } from './discussions/discussions.router';
import { invoicesRouter } from './invoices/invoices.router';
import { opportunitiesRouter } from './opportunities/opportunities.router';
import { privacyRouter } from './privacy/privacy.router';
import type { AuditLog } from '../../server/audit-log';
import { createAuditLogRouter } from '../../server/router';
import type { Services } from '../../server/services';
import type { CrmContext } from './context';
import { router } from './trpc';

/** The demo CRM's API, one sub-router per slice. */
export const crmRouters = {
  auth: authRouter,
  contacts: contactsRouter,
  companies: companiesRouter,
  opportunities: opportunitiesRouter,
  discussions: discussionsRouter,
  invoices: invoicesRouter,
  privacy: privacyRouter,
};

/** What the app router needs at start-up besides the CRM's own routers: the audit log's pieces. */
export interface AppRouterDeps {
  auditLog: AuditLog;
  /** Signs the audit log's page cursors. */
  cursorSecret: string;
  /** Exports and notifications; without them those procedures answer PRECONDITION_FAILED. */
  services?: Services;
}

/** The one adapter between this CRM's sessions and the audit log's access rules. */
export function auditCallerOf(ctx: CrmContext) {
  return ctx.user && ctx.tenantId ? { tenantId: ctx.tenantId, actorId: ctx.user.id, actorName: ctx.user.name, role: ctx.user.role } : null;
}

/** Built per app (not a module constant): the audit log's router is mounted with start-up services. */
export function createAppRouter(deps: AppRouterDeps) {
  return router({
    ...crmRouters,
    auditLog: createAuditLogRouter<CrmContext>({
      audit: deps.auditLog,
      cursorSecret: deps.cursorSecret,
      services: deps.services,
      resolveCaller: auditCallerOf,
    }),
  });
}

export type AppRouter = ReturnType<typeof createAppRouter>;
