import type { Model } from 'mongoose';
import type { LineItem, OpportunityDocument } from './opportunity.model';

type OpportunityFields = Pick<OpportunityDocument, 'name' | 'stage' | 'currency'> & { companyId?: string; contactId?: string };

export function createOpportunitiesRepository(opportunities: Model<OpportunityDocument>) {
  const scoped = (tenantId: string, id: string) => ({ _id: id, tenantId, removed: { $ne: true } });
  return {
    list: (tenantId: string) => opportunities.find({ tenantId, removed: { $ne: true } }).sort({ createdAt: -1 }).limit(500).lean(),
    findById: (tenantId: string, id: string) => opportunities.findOne(scoped(tenantId, id)).lean(),
    create: (tenantId: string, fields: Partial<OpportunityFields> & { name: string }) => opportunities.create({ ...fields, tenantId }),
    update: (tenantId: string, id: string, patch: Partial<OpportunityFields>) => opportunities.findOneAndUpdate(scoped(tenantId, id), { $set: patch }, { returnDocument: 'after' }).lean(),
    addLineItem: (tenantId: string, id: string, item: Omit<LineItem, '_id'>) =>
      opportunities.findOneAndUpdate(scoped(tenantId, id), { $push: { lineItems: item } }, { returnDocument: 'after' }).lean(),
    removeLineItem: (tenantId: string, id: string, lineItemId: string) =>
      opportunities.findOneAndUpdate(scoped(tenantId, id), { $pull: { lineItems: { _id: lineItemId } } }, { returnDocument: 'after' }).lean(),
    async softDelete(tenantId: string, id: string): Promise<boolean> {
      return (await opportunities.updateOne(scoped(tenantId, id), { $set: { removed: true } })).matchedCount > 0;
    },
  };
}

export type OpportunitiesRepository = ReturnType<typeof createOpportunitiesRepository>;
