import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { ZCurrency, ZName, ZObjectId } from '../crm.schemas';
import { authedProcedure, router } from '../trpc';
import { OPPORTUNITY_STAGES } from './opportunity.model';

const ZOpportunityFields = z.object({
  name: ZName,
  stage: z.enum(OPPORTUNITY_STAGES).optional(),
  currency: ZCurrency.optional(),
  companyId: ZObjectId.optional(),
  contactId: ZObjectId.optional(),
});
const ZLineItem = z.object({ product: z.string().min(1).max(200), quantity: z.number().int().min(1).max(1_000_000), unitPrice: z.number().min(0).max(1e9) });
const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'No such opportunity' });
const orNotFound = <T>(value: T | null): T => {
  if (!value) throw notFound();
  return value;
};

/** Line items are added with `$push` and removed with `$pull`: the plugin diffs both. */
export const opportunitiesRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.opportunities.list(ctx.tenantId)),
  get: authedProcedure.input(z.object({ id: ZObjectId })).query(async ({ ctx, input }) => {
    const opportunity = orNotFound(await ctx.opportunities.findById(ctx.tenantId, input.id));
    ctx.auditEvents.recordViewed({ subject: { type: 'opportunity', id: input.id, name: opportunity.name } });
    return opportunity;
  }),
  create: authedProcedure.input(ZOpportunityFields).mutation(async ({ ctx, input }) => (await ctx.opportunities.create(ctx.tenantId, input)).toObject()),
  update: authedProcedure
    .input(z.object({ id: ZObjectId, patch: ZOpportunityFields.partial() }))
    .mutation(async ({ ctx, input }) => orNotFound(await ctx.opportunities.update(ctx.tenantId, input.id, input.patch))),
  addLineItem: authedProcedure
    .input(z.object({ id: ZObjectId, item: ZLineItem }))
    .mutation(async ({ ctx, input }) => orNotFound(await ctx.opportunities.addLineItem(ctx.tenantId, input.id, input.item))),
  removeLineItem: authedProcedure
    .input(z.object({ id: ZObjectId, lineItemId: ZObjectId }))
    .mutation(async ({ ctx, input }) => orNotFound(await ctx.opportunities.removeLineItem(ctx.tenantId, input.id, input.lineItemId))),
  remove: authedProcedure.input(z.object({ id: ZObjectId })).mutation(async ({ ctx, input }) => {
    if (!(await ctx.opportunities.softDelete(ctx.tenantId, input.id))) throw notFound();
    return { removed: true };
  }),
});
