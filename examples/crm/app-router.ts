import { authRouter } from './auth/auth.router';
import { companiesRouter } from './companies/companies.router';
import { contactsRouter } from './contacts/contacts.router';
import { discussionsRouter } from './discussions/discussions.router';
import { invoicesRouter } from './invoices/invoices.router';
import { opportunitiesRouter } from './opportunities/opportunities.router';
import { privacyRouter } from './privacy/privacy.router';
import type { AuditLog } from '../../plugins';
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

/**
 * Built per app (not a module constant): the audit log's router comes from the audit log the app
 * was made with. It reads the caller through the audit log's `resolveActor` (see crm-app.ts).
 */
export function createAppRouter(auditLog: AuditLog) {
  return router({ ...crmRouters, auditLog: auditLog.router });
}

export type AppRouter = ReturnType<typeof createAppRouter>;
