/**
 * crm-audit-log: what a host CRM imports (`require('crm-audit-log')` / `import … from 'crm-audit-log'`).
 *
 *   const auditLog = createAuditLog({ connection: mongoose.connection, redis: process.env.REDIS_URL, secret, resolveActor });
 *   mongoose.plugin(auditLog.plugin);                                 // every model, at require time
 *   app.use(auditLog.requestContext);                                 // once, before the routes
 *   app.use('/audit-log', auditLog.expressRouter({ adminPage: { signInUrl: '/login?next={returnTo}' } })); // REST hosts: API, downloads, page
 *   appRouter = router({ ...yours, auditLog: auditLog.router });      // tRPC hosts
 *
 * The typed client is `crm-audit-log/client`. Everything else in the package is internal.
 */
export { createAuditLog, type AuditLog, type CreateAuditLogOptions } from './audit-log';
export type { ResolvedActor, ResolveActor } from './request-context/request-context.middleware';
export type { TrustProxySetting } from './request-context/client-ip';
export { runAsSystem } from './request-context/system-context';
export { SKIP_AUDIT_OPTION, type AuditTrailPluginOptions } from './mongoose/audit-trail.plugin';
export { audited, failureReasonOf, type AuditedProcedureSpec, type AuditedCall, type AuditedEvent } from './trpc/audited-procedure';
export type { AuditEvents } from './events/audit-events';
export { FailedSignIns, type FailedSignIn, type FailedSignInsOptions } from './events/failed-sign-ins';
export type { ErasePersonalDataInput, PersonalDataErasure } from './events/erase-personal-data';
export { personal } from '../server/events/capture';
export type { TPersonalKind as PersonalKind } from '../server/events';
export * from './events/explicit-events';
export { ANONYMOUS_ACTOR, UNSCOPED_TENANT } from '../server/events/capture';
export { AuditLogError, type AuditErrorCode } from '../server/errors';
export { auditLogResponseMeta } from '../server/http/response-meta';
export { AuditEventValidationError } from '../server/events/capture';
export { AuditLogClosedError, AuditLogOverloadedError } from '../server/recorder';
export { signApiToken, type TApiTokenPayload } from '../server/auth/api-token';
export { zodErrorOf, type ReadableIssue } from '../server/common/zod-issues';
export type { TAuditEventInput as AuditEventInput, TAuditEvent as AuditEventRecord } from '../server/events';
export type { TCustomActionInput as CustomAction } from '../server/events';
export type { TAuditCaller as AuditCaller } from '../server/access';
export type { AuditLogRouter, AuditLogApiRouter } from '../server/router';
export type { ExportStorage, StoredFileUpload } from '../server/exports';
export type { NotificationChannelSettings } from '../server/notifications';
export type { TAdminPageOptions as AdminPageOptions } from '../server/http/admin-page.config';
