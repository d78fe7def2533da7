import { Schema, type Connection } from 'mongoose';
import { z } from 'zod';

export const ZRole = z.enum(['admin', 'member']);
export type TRole = z.infer<typeof ZRole>;

export interface TenantDocument {
  _id: string;
  name: string;
}

export interface UserDocument {
  tenantId: string;
  name: string;
  email: string;
  role: TRole;
  passwordHash: string;
}

/**
 * A session is found by the hash of its cookie token; `auditId` is what the audit log shows (never
 * the token). The user's name, e-mail and role are kept on it, so a request costs one read.
 */
export interface SessionDocument {
  _id: string;
  tenantId: string;
  user: { id: string; name: string; email: string; role: TRole };
  auditId: string;
  createdAt: Date;
  expiresAt: Date;
}

export function registerAuthModels(connection: Connection) {
  const tenants = connection.model<TenantDocument>('Tenant', new Schema<TenantDocument>({ _id: String, name: { type: String, required: true } }, { collection: 'tenants' }));
  const userSchema = new Schema<UserDocument>(
    {
      tenantId: { type: String, required: true },
      name: { type: String, required: true },
      email: { type: String, required: true, lowercase: true, trim: true },
      role: { type: String, enum: ZRole.options, required: true },
      passwordHash: { type: String, required: true },
    },
    { collection: 'users', timestamps: true },
  );
  userSchema.index({ tenantId: 1, email: 1 }, { unique: true });
  const users = connection.model<UserDocument>('User', userSchema);
  const sessions = connection.model<SessionDocument>(
    'Session',
    new Schema<SessionDocument>(
      { _id: String, tenantId: String, user: { id: String, name: String, email: String, role: String }, auditId: String, createdAt: Date, expiresAt: Date },
      { collection: 'sessions', versionKey: false },
    ),
  );
  return { tenants, users, sessions };
}

export type AuthModels = ReturnType<typeof registerAuthModels>;
