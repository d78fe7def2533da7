import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { withoutUndefined } from '../../../server/common/without-undefined';
import type { CrmContext } from '../context';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './password';

export const ZLoginInput = z.object({
  tenant: z.string().trim().min(1).max(64),
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(200),
});
export type TLoginInput = z.infer<typeof ZLoginInput>;

const WRONG_CREDENTIALS = 'Wrong workspace, e-mail or password';

/**
 * Throttle first (a throttled attempt never reaches the password check), then one check that takes
 * as long for an unknown e-mail as for a wrong password. Records `user.login`, or a failed sign-in
 * with the e-mail tried (never the password); repeated failures are counted into one event.
 */
export async function loginHandler({ ctx, input }: { ctx: CrmContext; input: TLoginInput }) {
  const attempt = { tenantId: input.tenant, email: input.email, ip: ctx.http.ip };
  const decision = ctx.signIns.throttle.admit(attempt);
  if (!decision.admitted) return refuseThrottled(ctx, input, decision.retryAfterMs);

  const [tenantKnown, user] = await Promise.all([ctx.auth.tenantExists(input.tenant), ctx.auth.findUserWithPassword(input.tenant, input.email)]);
  const passwordMatches = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || !passwordMatches) {
    // An unknown workspace has no log to write to.
    if (tenantKnown) ctx.signIns.failedSignIns.failed({ ...failedAttempt(ctx, input), reason: user ? 'Wrong password' : 'No such user', userId: user?.id });
    throw new TRPCError({ code: 'UNAUTHORIZED', message: WRONG_CREDENTIALS });
  }
  ctx.signIns.throttle.succeeded(attempt);
  ctx.signIns.failedSignIns.signedIn(input.tenant, input.email);
  const signedIn = { id: user.id, name: user.name, email: user.email, role: user.role };
  const session = await ctx.auth.createSession(input.tenant, signedIn);
  ctx.cookie.set(session.token, session.expiresAt);
  ctx.auditEvents.loginSucceeded({ tenantId: input.tenant, actor: { ...signedIn, type: 'user' }, sessionId: session.auditId });
  return { tenantId: input.tenant, user: signedIn };
}

async function refuseThrottled(ctx: CrmContext, input: TLoginInput, retryAfterMs: number): Promise<never> {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1_000));
  if (await ctx.auth.tenantExists(input.tenant)) ctx.signIns.failedSignIns.failed({ ...failedAttempt(ctx, input), throttled: true });
  ctx.http.setHeader('retry-after', String(seconds));
  throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `Too many failed sign-ins: try again in ${seconds} s` });
}

function failedAttempt(ctx: CrmContext, input: TLoginInput) {
  return { tenantId: input.tenant, attemptedIdentity: input.email, context: withoutUndefined({ ip: ctx.http.ip, userAgent: ctx.http.userAgent }) };
}
