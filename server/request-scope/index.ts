/** Who acts and from where, for the rest of a request or a job (AsyncLocalStorage). */
export { auditContext, identityOf, SYSTEM_ACTOR, type AuditIdentity, type AuditScope } from './audit-context';
export * from './request-context.schema';
