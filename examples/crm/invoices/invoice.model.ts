import { Schema, type Connection, type Types } from 'mongoose';
import type { AuditLog } from '../../../plugins';

export const INVOICE_STATUSES = ['draft', 'posted', 'post_failed'] as const;

export interface InvoiceDocument {
  tenantId: string;
  number: string;
  companyId?: Types.ObjectId;
  opportunityId?: Types.ObjectId;
  amount: number;
  currency: string;
  status: (typeof INVOICE_STATUSES)[number];
  provider?: string;
  externalId?: string;
}

export function registerInvoiceModel(connection: Connection, auditLog: AuditLog | null) {
  const schema = new Schema<InvoiceDocument>(
    {
      tenantId: { type: String, required: true, index: true },
      number: { type: String, required: true },
      companyId: { type: Schema.Types.ObjectId, ref: 'Company' },
      opportunityId: { type: Schema.Types.ObjectId, ref: 'Opportunity' },
      amount: { type: Number, required: true, min: 0 },
      currency: { type: String, required: true, match: /^[A-Z]{3}$/ },
      status: { type: String, enum: INVOICE_STATUSES, default: 'draft' },
      provider: String,
      externalId: String,
    },
    { collection: 'invoices', timestamps: true },
  );
  schema.index({ tenantId: 1, number: 1 }, { unique: true });
  if (auditLog) schema.plugin(auditLog.plugin, { subjectType: 'invoice', ignore: ['tenantId'] });
  return connection.model<InvoiceDocument>('Invoice', schema);
}
