import { Schema, type Connection, type Types } from 'mongoose';
import type { AuditLog } from '../../../plugins';

export const OPPORTUNITY_STAGES = ['prospecting', 'proposal', 'negotiation', 'won', 'lost'] as const;

export interface LineItem {
  _id: Types.ObjectId;
  product: string;
  quantity: number;
  unitPrice: number;
}

export interface OpportunityDocument {
  tenantId: string;
  name: string;
  companyId?: Types.ObjectId;
  contactId?: Types.ObjectId;
  stage: (typeof OPPORTUNITY_STAGES)[number];
  currency: string;
  lineItems: LineItem[];
  removed: boolean;
}

export function registerOpportunityModel(connection: Connection, auditLog: AuditLog | null) {
  const lineItemSchema = new Schema<LineItem>({ product: { type: String, required: true }, quantity: { type: Number, min: 1, required: true }, unitPrice: { type: Number, min: 0, required: true } });
  const schema = new Schema<OpportunityDocument>(
    {
      tenantId: { type: String, required: true, index: true },
      name: { type: String, required: true, trim: true },
      companyId: { type: Schema.Types.ObjectId, ref: 'Company' },
      contactId: { type: Schema.Types.ObjectId, ref: 'Contact' },
      stage: { type: String, enum: OPPORTUNITY_STAGES, default: 'prospecting' },
      currency: { type: String, default: 'EUR' },
      lineItems: { type: [lineItemSchema], default: [] },
      removed: { type: Boolean, default: false },
    },
    { collection: 'opportunities', timestamps: true },
  );
  if (auditLog) schema.plugin(auditLog.plugin, { subjectType: 'opportunity', ignore: ['tenantId'] });
  return connection.model<OpportunityDocument>('Opportunity', schema);
}
