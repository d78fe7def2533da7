import type { Connection } from 'mongoose';
import type { AuditLog } from '../../plugins';
import { registerAuthModels } from './auth/auth.models';
import { registerCompanyModel } from './companies/company.model';
import { registerContactModel } from './contacts/contact.model';
import { registerDiscussionModels } from './discussions/discussion.models';
import { registerInvoiceModel } from './invoices/invoice.model';
import { registerOpportunityModel } from './opportunities/opportunity.model';

/** Every model of the demo CRM on one connection, the audited ones with the plugin installed (none when `auditLog` is null). */
export function registerCrmModels(connection: Connection, auditLog: AuditLog | null) {
  return {
    ...registerAuthModels(connection),
    contacts: registerContactModel(connection, auditLog),
    companies: registerCompanyModel(connection, auditLog),
    opportunities: registerOpportunityModel(connection, auditLog),
    ...registerDiscussionModels(connection, auditLog),
    invoices: registerInvoiceModel(connection, auditLog),
  };
}

export type CrmModels = ReturnType<typeof registerCrmModels>;

export async function ensureCrmIndexes(models: CrmModels): Promise<void> {
  await Promise.all(Object.values(models).map((model) => model.createIndexes()));
}
