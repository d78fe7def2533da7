import { authedProcedure, publicProcedure, router } from '../trpc';
import { loginHandler, ZLoginInput } from './login.handler';

export const authRouter = router({
  /** Throttled per identity and IP (429 with Retry-After); see login.handler.ts. */
  login: publicProcedure.input(ZLoginInput).mutation(loginHandler),

  logout: authedProcedure.mutation(async ({ ctx }) => {
    if (ctx.cookie.token) await ctx.auth.deleteSession(ctx.tenantId, ctx.cookie.token);
    ctx.cookie.clear();
    ctx.auditEvents.loggedOut({ tenantId: ctx.tenantId, actor: { ...ctx.user, type: 'user' }, sessionId: ctx.sessionAuditId ?? 'unknown' });
    // The audit log's live streams of this session close on every instance, not only new requests.
    if (ctx.sessionAuditId) await ctx.auditLog.endSessions({ tenantId: ctx.tenantId, sessionId: ctx.sessionAuditId });
    return { signedOut: true };
  }),

  me: publicProcedure.query(({ ctx }) => ({ tenantId: ctx.tenantId, user: ctx.user })),
});
