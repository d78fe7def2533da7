import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { ZName, ZObjectId } from '../crm.schemas';
import { authedProcedure, router } from '../trpc';

const ZCompanyFields = z.object({ name: ZName, domain: z.string().max(200).optional(), industry: z.string().max(100).optional() });

export const companiesRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.companies.list(ctx.tenantId)),
  create: authedProcedure.input(ZCompanyFields).mutation(async ({ ctx, input }) => (await ctx.companies.create(ctx.tenantId, input)).toObject()),
  update: authedProcedure.input(z.object({ id: ZObjectId, patch: ZCompanyFields.partial() })).mutation(async ({ ctx, input }) => {
    const company = await ctx.companies.update(ctx.tenantId, input.id, input.patch);
    if (!company) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such company' });
    return company;
  }),
  remove: authedProcedure.input(z.object({ id: ZObjectId })).mutation(async ({ ctx, input }) => {
    if (!(await ctx.companies.delete(ctx.tenantId, input.id))) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such company' });
    return { deleted: true };
  }),
});
