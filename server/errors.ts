/**
 * The audit log's one error vocabulary. Domain code (services, repositories, the recorder) throws an
 * AuditLogError with a code and never imports @trpc/server; the tRPC edge turns each code into a
 * tRPC code in one place (`server/trpc.ts`, TRPC_CODE_OF). Hosts catch them by class or by `code`.
 */
export type AuditErrorCode =
  /** An event the host asked to record is invalid (a bug at the call site). */
  | 'AUDIT_EVENT_INVALID'
  /** The memory bound is reached and no spill store takes more. */
  | 'AUDIT_LOG_OVERLOADED'
  /** record() after close(). */
  | 'AUDIT_LOG_CLOSED'
  /** A page cursor that is forged, edited or belongs to another search. */
  | 'INVALID_CURSOR'
  | 'NOT_FOUND'
  /** A feature that needs configuration this process lacks (e.g. Redis for exports). */
  | 'NOT_CONFIGURED'
  /** The tenant has as many expensive reads running and waiting as it may (server/read-limits); `retryAfterMs` says when to try again. */
  | 'TOO_MANY_READS'
  /** A requester or tenant already has as many exports queued or running as allowed. */
  | 'EXPORT_LIMIT_REACHED'
  /** A read the database stopped at the read time limit (`maxTimeMS`): narrower filters answer sooner. */
  | 'READ_TIMED_OUT';

export class AuditLogError extends Error {
  /** For refusals that pass (TOO_MANY_READS): how long the client should wait; the HTTP edge sends it as Retry-After. */
  readonly retryAfterMs?: number;

  constructor(
    readonly code: AuditErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.name = 'AuditLogError';
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** A feature that needs what this process was not given: answers PRECONDITION_FAILED at the edge. */
export function requireConfigured<T>(service: T | undefined, what: string): T {
  if (!service) throw new AuditLogError('NOT_CONFIGURED', `${what} are not configured on this server`);
  return service;
}
