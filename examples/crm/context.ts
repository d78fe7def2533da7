import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { AuditLog } from '../../plugins';
import type { AuditEvents } from '../../plugins/events/audit-events';
import type { ActiveSession, AuthRepository, SignedInUser } from './auth/auth.repository';
import type { SignInProtection } from './auth/sign-in-protection';
import type { CompaniesRepository } from './companies/companies.repository';
import type { ContactsRepository } from './contacts/contacts.repository';
import type { DiscussionsRepository } from './discussions/discussions.repository';
import type { AccountingProviders } from './invoices/accounting-providers';
import type { InvoicesRepository } from './invoices/invoices.repository';
import type { OpportunitiesRepository } from './opportunities/opportunities.repository';

/** Everything a procedure may use, built once per process by `createCrmApp`. */
export interface CrmDeps {
  logger: Logger;
  auditLog: AuditLog;
  auditEvents: AuditEvents;
  providers: AccountingProviders;
  auth: AuthRepository;
  signIns: SignInProtection;
  contacts: ContactsRepository;
  companies: CompaniesRepository;
  opportunities: OpportunitiesRepository;
  discussions: DiscussionsRepository;
  invoices: InvoicesRepository;
}

/** Sets and clears the session cookie; tests that call procedures directly pass a no-op. */
export interface SessionCookie {
  token: string | undefined;
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

/** What a procedure may know of the HTTP request beyond the session: where it came from, and a way to set a header (Retry-After). */
export interface RequestHttp {
  ip: string | undefined;
  userAgent: string | undefined;
  setHeader(name: string, value: string): void;
}

export const SESSION_COOKIE = 'crm_session';

/**
 * The context in two layers. `createContextInner` is what procedures see: `tenantId` and `user`
 * (null when nobody is signed in) are the shape a mounted router (the audit log's) reads.
 */
export function createContextInner(deps: CrmDeps, session: ActiveSession | null, extras: { requestId?: string; cookie?: SessionCookie; http?: RequestHttp } = {}) {
  return {
    ...deps,
    tenantId: session?.tenantId ?? null,
    user: (session?.user ?? null) as SignedInUser | null,
    sessionAuditId: session?.auditId ?? null,
    requestId: extras.requestId ?? randomUUID(),
    cookie: extras.cookie ?? { token: undefined, set: () => undefined, clear: () => undefined },
    http: extras.http ?? { ip: undefined, userAgent: undefined, setHeader: () => undefined },
  };
}

export type CrmContext = Awaited<ReturnType<typeof createContextInner>>;

/** The HTTP layer: the session resolved by crm-app.ts's middleware, the request id, the cookie. */
export function createContextFactory(deps: CrmDeps, { secureCookies }: { secureCookies: boolean }) {
  return function createContext({ req, res }: { req: Request; res: Response }): CrmContext {
    const locals = res.locals as { crmSession?: ActiveSession | null; sessionToken?: string };
    const cookie: SessionCookie = {
      token: locals.sessionToken,
      set: (token, expiresAt) => res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: secureCookies, expires: expiresAt, path: '/' }),
      clear: () => res.clearCookie(SESSION_COOKIE, { path: '/' }),
    };
    const requestId = String(res.getHeader('x-request-id') ?? '') || undefined;
    // `::ffff:10.0.0.1` (IPv4 through an IPv6 socket) is the address the audit log shows as `10.0.0.1`.
    const http: RequestHttp = { ip: req.ip?.replace(/^::ffff:(?=\d+\.)/, ''), userAgent: req.get('user-agent')?.slice(0, 1_024), setHeader: (name, value) => void res.setHeader(name, value) };
    return createContextInner(deps, locals.crmSession ?? null, { requestId, cookie, http });
  };
}
