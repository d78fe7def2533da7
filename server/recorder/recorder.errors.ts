import type { z } from 'zod';

/** `record()` throws this synchronously: the event is a programming error in the host, not data to keep. */
export class AuditEventValidationError extends Error {
  readonly code = 'AUDIT_EVENT_INVALID';
  constructor(readonly problems: Array<{ path: string; message: string }>) {
    super(`Invalid audit event: ${problems.map(({ path, message }) => `${path}: ${message}`).join('; ')}`);
    this.name = 'AuditEventValidationError';
  }

  static fromZod(error: z.ZodError, pathPrefix = ''): AuditEventValidationError {
    return new AuditEventValidationError(
      error.issues.map((issue) => ({ path: pathPrefix + (issue.path.join('.') || '(event)'), message: issue.message })),
    );
  }
}

/** Memory bound reached and no spill store configured (or it is unreachable): the host must shed load. */
export class AuditLogOverloadedError extends Error {
  readonly code = 'AUDIT_LOG_OVERLOADED';
  constructor(queued: number) {
    super(`Audit log overloaded: ${queued} events are waiting for the database and the spill store is unavailable`);
    this.name = 'AuditLogOverloadedError';
  }
}

export class AuditLogClosedError extends Error {
  readonly code = 'AUDIT_LOG_CLOSED';
  constructor() {
    super('Audit log is closed: record() was called after close()');
    this.name = 'AuditLogClosedError';
  }
}

/** Thrown by a batch writer when the database is unreachable or busy: the batch is retried. */
export class TransientWriteError extends Error {
  constructor(override readonly cause: unknown) {
    super(`transient write failure: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'TransientWriteError';
  }
}
