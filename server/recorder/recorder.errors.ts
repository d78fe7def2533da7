import { AuditLogError } from '../errors';

/** Memory bound reached and no spill store configured (or it is unreachable): the host must shed load. */
export class AuditLogOverloadedError extends AuditLogError {
  constructor(queued: number) {
    super('AUDIT_LOG_OVERLOADED', `Audit log overloaded: ${queued} events are waiting for the database and the spill store is unavailable`);
    this.name = 'AuditLogOverloadedError';
  }
}

export class AuditLogClosedError extends AuditLogError {
  constructor() {
    super('AUDIT_LOG_CLOSED', 'Audit log is closed: record() was called after close()');
    this.name = 'AuditLogClosedError';
  }
}
