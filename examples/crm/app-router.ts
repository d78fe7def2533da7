import { authRouter } from './auth/auth.router';
import { companiesRouter } from './companies/companies.router';
import { contactsRouter } from './contacts/contacts.router';
import { discussionsRouter } from './discussions/discussions.router';
import { invoicesRouter } from './invoices/invoices.router';
import { opportunitiesRouter } from './opportunities/opportunities.router';
import { privacyRouter } from './privacy/privacy.router';
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

/** What the app router needs at start-up besides the CRM's own routers (the audit log's services go here). */
export type AppRouterDeps = Record<string, never>;

/**
 * Built per app (not a module constant) so that routers needing start-up services, such as the
 * audit log's, can be mounted with them.
 */
export function createAppRouter(_deps: AppRouterDeps = {}) {
  return router({
  ...crmRouters,
  // ── AUDIT LOG ROUTER MOUNT POINT ──────────────────────────────────────────────────────────────
  // The audit log's query router (server/router.ts) mounts here as `auditLog`. It reads the
  // caller from this CRM's context: { tenantId: string | null, user: { id, name, email, role } | null,
  // requestId }. Example, once wired:
  //   auditLog: createAuditLogRouter({ resolveCaller: (ctx: CrmContext) => ctx.user && ctx.tenantId
  //     ? { tenantId: ctx.tenantId, actorId: ctx.user.id, actorName: ctx.user.name, role: ctx.user.role } : null, … }),
  // ──────────────────────────────────────────────────────────────────────────────────────────────
  });
}

export type AppRouter = ReturnType<typeof createAppRouter>;
