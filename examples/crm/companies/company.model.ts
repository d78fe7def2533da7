import { Schema, type Connection } from 'mongoose';
import type { AuditLog } from '../../../plugins';

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
  if (auditLog) schema.plugin(auditLog.plugin, { subjectType: 'company', ignore: ['tenantId'] });
  return connection.model<CompanyDocument>('Company', schema);
}
