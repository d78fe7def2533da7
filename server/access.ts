import { z } from 'zod';

/** Who is calling, as the host tells us. zod-checked, so a host bug can't widen access. */
export const ZAuditCaller = z.object({
  tenantId: z.string().min(1).max(128),
  actorId: z.string().min(1).max(128),
  actorName: z.string().max(300).optional(),
  /** Where the caller's notifications go by e-mail, when e-mail is configured. */
  actorEmail: z.string().max(320).optional(),
  /** The host's role name; `canRead` decides what it allows (default: "admin" reads). */
  role: z.string().min(1).max(64).optional(),
  /** The host's session id (as in `resolveActor`): `auditLog.endSessions({ sessionId })` closes this caller's live streams. */
  sessionId: z.string().min(1).max(200).optional(),
});
export type TAuditCaller = z.infer<typeof ZAuditCaller>;

/** The default read rule: administrators of their own tenant. */
export const isAdmin = (caller: TAuditCaller) => caller.role === 'admin';
