/**
 * What a host CRM installs. Set-up in a host:
 *   const auditLog = await createAuditLog({ connection });
 *   app.use(auditRequestContext({ resolveActor: (req) => … }));      // after authentication
 *   contactSchema.plugin(auditTrailPlugin, { auditLog });            // or mongoose.plugin(...)
 *   const auditEvents = createAuditEvents(auditLog);                 // views, logins, invoices…
 */
export { createAuditLog, type AuditLog, type CreateAuditLogOptions } from '../server/audit-log';
export { auditRequestContext, requestContextOf, ANONYMOUS_ACTOR, type ResolvedActor, type AuditRequestContextOptions } from './request-context/request-context.middleware';
export { clientIpFrom, normaliseIp, type TrustProxySetting } from './request-context/client-ip';
export { parseUserAgent, type ParsedUserAgent } from './request-context/user-agent';
export { runAsSystem, auditContext } from './request-context/system-context';
export { auditTrailPlugin, SKIP_AUDIT_OPTION, type AuditTrailPluginOptions } from './mongoose/audit-trail.plugin';
export { audited, failureReasonOf, type AuditedProcedureSpec, type AuditedCall, type AuditedEvent } from './trpc/audited-procedure';
export { createAuditEvents, type AuditEvents } from './events/audit-events';
export { erasePersonalDataFromLog, type ErasePersonalDataInput } from './events/erase-personal-data';
export * from './events/explicit-events';
