import type { Model } from 'mongoose';
import type { CompanyDocument } from './company.model';

export function createCompaniesRepository(companies: Model<CompanyDocument>) {
  return {
    list: (tenantId: string) => companies.find({ tenantId }).sort({ name: 1 }).limit(500).lean(),
    create: (tenantId: string, fields: Omit<CompanyDocument, 'tenantId'>) => companies.create({ ...fields, tenantId }),
    update: (tenantId: string, id: string, patch: Partial<Omit<CompanyDocument, 'tenantId'>>) =>
      companies.findOneAndUpdate({ _id: id, tenantId }, { $set: patch }, { returnDocument: 'after' }).lean(),
    /** Companies are deleted for real (contacts keep a dangling id, as in many CRMs). */
    delete: (tenantId: string, id: string) => companies.findOneAndDelete({ _id: id, tenantId }).lean(),
  };
}

export type CompaniesRepository = ReturnType<typeof createCompaniesRepository>;
