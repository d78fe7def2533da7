import { Schema, type Connection, type Types } from 'mongoose';
import type { AuditLog } from '../../../plugins';

export const CONTACT_STATUSES = ['lead', 'customer', 'churned'] as const;

export interface ContactDocument {
  tenantId: string;
  name: string;
  email?: string;
  phone?: string;
  companyId?: Types.ObjectId;
  status: (typeof CONTACT_STATUSES)[number];
  tags: string[];
  removed: boolean;
  erasedAt?: Date;
}

export function registerContactModel(connection: Connection, auditLog: AuditLog | null) {
  const schema = new Schema<ContactDocument>(
    {
      tenantId: { type: String, required: true, index: true },
      name: { type: String, required: true, trim: true },
      email: { type: String, trim: true, lowercase: true },
      phone: String,
      companyId: { type: Schema.Types.ObjectId, ref: 'Company' },
      status: { type: String, enum: CONTACT_STATUSES, default: 'lead' },
      tags: { type: [String], default: [] },
      removed: { type: Boolean, default: false },
      erasedAt: Date,
    },
    { collection: 'contacts', timestamps: true },
  );
  if (auditLog) schema.plugin(auditLog.plugin, { subjectType: 'contact', ignore: ['tenantId'] });
  return connection.model<ContactDocument>('Contact', schema);
}
