import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { zodErrorOf } from '../../plugins';
import type { CrmContext } from './context';

/**
 * The demo CRM's tRPC instance: superjson like the audit log API, so that router mounts here, and
 * stack traces never sent to clients. Access rules live in the procedure builders below.
 */
const t = initTRPC.context<CrmContext>().create({
  transformer: superjson,
  isDev: false,
  errorFormatter({ shape, error }) {
    const message = error.code === 'INTERNAL_SERVER_ERROR' ? 'Internal server error' : shape.message;
    return { ...shape, message, data: { ...shape.data, zodError: zodErrorOf(error.cause) } };
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(async ({ ctx, next, path }) => {
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR') ctx.logger.error({ err: result.error.cause ?? result.error, path, requestId: ctx.requestId }, 'crm procedure failed');
  return result;
});

/** Signed in: `ctx.user` and `ctx.tenantId` are set, and every repository call gets the tenant. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.tenantId) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first' });
  return next({ ctx: { user: ctx.user, tenantId: ctx.tenantId } });
});

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'Only administrators may do this' });
  return next();
});
