import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { ZCurrency, ZObjectId } from '../crm.schemas';
import { authedProcedure, router } from '../trpc';
import { AccountingProviderError } from './accounting-providers';

const ZProvider = z.enum(['quickbooks', 'xero']);

export const invoicesRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.invoices.list(ctx.tenantId)),

  create: authedProcedure
    .input(z.object({ number: z.string().trim().min(1).max(50), amount: z.number().min(0).max(1e12), currency: ZCurrency, companyId: ZObjectId.optional() }))
    .mutation(async ({ ctx, input }) => (await ctx.invoices.create(ctx.tenantId, input)).toObject()),

  /** Records `invoice.posted` with the provider and its id, or with status failure and the provider's reason. */
  post: authedProcedure.input(z.object({ invoiceId: ZObjectId, provider: ZProvider })).mutation(async ({ ctx, input }) => {
    const invoice = await ctx.invoices.findById(ctx.tenantId, input.invoiceId);
    if (!invoice) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such invoice' });
    if (invoice.status === 'posted') throw new TRPCError({ code: 'CONFLICT', message: `Invoice ${invoice.number} is already posted` });
    const posted = { id: input.invoiceId, number: invoice.number, amount: invoice.amount, currency: invoice.currency };
    try {
      const { externalId } = await ctx.providers[input.provider].postInvoice(invoice);
      await ctx.invoices.markPosted(ctx.tenantId, input.invoiceId, input.provider, externalId);
      ctx.auditEvents.invoicePosted({ invoice: posted, provider: input.provider, outcome: { ok: true, externalId } });
      return { posted: true, externalId };
    } catch (error) {
      if (!(error instanceof AccountingProviderError)) throw error;
      await ctx.invoices.markPostFailed(ctx.tenantId, input.invoiceId, input.provider);
      ctx.auditEvents.invoicePosted({ invoice: posted, provider: input.provider, outcome: { ok: false, reason: error.message } });
      throw new TRPCError({ code: 'BAD_GATEWAY', message: `The accounting system refused the invoice: ${error.message}` });
    }
  }),
});
