import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AuthModels, TRole } from './auth.models';

export interface SignedInUser {
  id: string;
  name: string;
  email: string;
  role: TRole;
}

export interface ActiveSession {
  tenantId: string;
  user: SignedInUser;
  auditId: string;
}

const SESSION_DAYS = 7;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Users and cookie sessions. Every lookup is scoped by tenant, except the session token itself. */
export function createAuthRepository(models: AuthModels) {
  return {
    async findUserWithPassword(tenantId: string, email: string) {
      const user = await models.users.findOne({ tenantId, email: email.trim().toLowerCase() }).lean();
      return user && { id: String(user._id), name: user.name, email: user.email, role: user.role, passwordHash: user.passwordHash };
    },

    async tenantExists(tenantId: string): Promise<boolean> {
      return (await models.tenants.countDocuments({ _id: tenantId })) > 0;
    },

    /** Returns the cookie token (only its hash is stored) and the id the audit log shows. */
    async createSession(tenantId: string, user: SignedInUser): Promise<{ token: string; auditId: string; expiresAt: Date }> {
      const token = randomBytes(32).toString('base64url');
      const auditId = randomUUID();
      const now = new Date();
      const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
      await models.sessions.create({ _id: hashToken(token), tenantId, user, auditId, createdAt: now, expiresAt });
      return { token, auditId, expiresAt };
    },

    async findSession(token: string): Promise<ActiveSession | null> {
      const session = await models.sessions.findOne({ _id: hashToken(token), expiresAt: { $gt: new Date() } }).lean();
      if (!session?.user) return null;
      const { id, name, email, role } = session.user;
      return { tenantId: session.tenantId, user: { id, name, email, role }, auditId: session.auditId };
    },

    async deleteSession(tenantId: string, token: string): Promise<void> {
      await models.sessions.deleteOne({ _id: hashToken(token), tenantId });
    },
  };
}

export type AuthRepository = ReturnType<typeof createAuthRepository>;
