import type { Model } from 'mongoose';
import type { InvoiceDocument } from './invoice.model';

export function createInvoicesRepository(invoices: Model<InvoiceDocument>) {
  return {
    list: (tenantId: string) => invoices.find({ tenantId }).sort({ createdAt: -1 }).limit(500).lean(),
    findById: (tenantId: string, id: string) => invoices.findOne({ _id: id, tenantId }).lean(),
    create: (tenantId: string, fields: Pick<InvoiceDocument, 'number' | 'amount' | 'currency'> & { companyId?: string }) => invoices.create({ ...fields, tenantId }),
    async markPosted(tenantId: string, id: string, provider: string, externalId: string) {
      const invoice = await invoices.findOne({ _id: id, tenantId });
      if (!invoice) return null;
      invoice.set({ status: 'posted', provider, externalId });
      return invoice.save();
    },
    async markPostFailed(tenantId: string, id: string, provider: string) {
      await invoices.updateOne({ _id: id, tenantId }, { $set: { status: 'post_failed', provider } });
    },
  };
}

export type InvoicesRepository = ReturnType<typeof createInvoicesRepository>;
