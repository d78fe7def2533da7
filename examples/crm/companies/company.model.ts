import { Schema, type Connection } from 'mongoose';
import type { AuditLog } from '../../../server/audit-log';
import { auditTrailPlugin } from '../../../plugins/mongoose/audit-trail.plugin';

export interface CompanyDocument {
  tenantId: string;
  name: string;
  domain?: string;
  industry?: string;
}

export function registerCompanyModel(connection: Connection, auditLog: AuditLog | null) {
  const schema = new Schema<CompanyDocument>(
    { tenantId: { type: String, required: true, index: true }, name: { type: String, required: true, trim: true }, domain: String, industry: String },
    { collection: 'companies', timestamps: true },
  );
  if (auditLog) schema.plugin(auditTrailPlugin, { auditLog, subjectType: 'company', ignore: ['tenantId'] });
  return connection.model<CompanyDocument>('Company', schema);
}
