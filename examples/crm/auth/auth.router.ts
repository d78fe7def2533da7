import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { authedProcedure, publicProcedure, router } from '../trpc';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './password';

export const ZLoginInput = z.object({
  tenant: z.string().trim().min(1).max(64),
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(200),
});

export const authRouter = router({
  /** Records `user.login`, or `user.login_failed` with the e-mail tried (never the password). */
  login: publicProcedure.input(ZLoginInput).mutation(async ({ ctx, input }) => {
    const [tenantKnown, user] = await Promise.all([ctx.auth.tenantExists(input.tenant), ctx.auth.findUserWithPassword(input.tenant, input.email)]);
    const passwordMatches = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !passwordMatches) {
      if (tenantKnown) {
        ctx.auditEvents.loginFailed({ tenantId: input.tenant, attemptedIdentity: input.email, reason: user ? 'Wrong password' : 'No such user', userId: user?.id });
      }
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Wrong workspace, e-mail or password' });
    }
    const signedIn = { id: user.id, name: user.name, email: user.email, role: user.role };
    const session = await ctx.auth.createSession(input.tenant, signedIn);
    ctx.cookie.set(session.token, session.expiresAt);
    ctx.auditEvents.loginSucceeded({ tenantId: input.tenant, actor: { ...signedIn, type: 'user' }, sessionId: session.auditId });
    return { tenantId: input.tenant, user: signedIn };
  }),

  logout: authedProcedure.mutation(async ({ ctx }) => {
    if (ctx.cookie.token) await ctx.auth.deleteSession(ctx.tenantId, ctx.cookie.token);
    ctx.cookie.clear();
    ctx.auditEvents.loggedOut({ tenantId: ctx.tenantId, actor: { ...ctx.user, type: 'user' }, sessionId: ctx.sessionAuditId ?? 'unknown' });
    return { signedOut: true };
  }),

  me: publicProcedure.query(({ ctx }) => ({ tenantId: ctx.tenantId, user: ctx.user })),
});
