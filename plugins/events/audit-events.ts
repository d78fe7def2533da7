import type { TAuditEventInput } from '../../server/events';
import { erasePersonalDataFromLog, type ErasePersonalDataInput, type ErasureDeps } from './erase-personal-data';
import {
  bulkEditedEvent,
  commentCreatedEvent,
  invoicePostedEvent,
  listExportedEvent,
  loggedOutEvent,
  loginFailedEvent,
  loginSucceededEvent,
  recordViewedEvent,
} from './explicit-events';

type Recorder = { record(event: TAuditEventInput): string };
const recording = <TArgs>(auditLog: Recorder, build: (args: TArgs) => TAuditEventInput) => (args: TArgs): string => auditLog.record(build(args));

/**
 * Typed helpers for the events a host records itself. Each returns the event id at once; the
 * write is queued like every other event.
 */
export function createAuditEvents(auditLog: ErasureDeps) {
  return {
    recordViewed: recording(auditLog, recordViewedEvent),
    commentCreated: recording(auditLog, commentCreatedEvent),
    invoicePosted: recording(auditLog, invoicePostedEvent),
    loginSucceeded: recording(auditLog, loginSucceededEvent),
    loginFailed: recording(auditLog, loginFailedEvent),
    loggedOut: recording(auditLog, loggedOutEvent),
    bulkEdited: recording(auditLog, bulkEditedEvent),
    listExported: recording(auditLog, listExportedEvent),
    /** Erases the data subject's personal values (and its identities) from the log, then records the erase. Awaits MongoDB (an admin tool, not a hot path). */
    dataErased: (input: ErasePersonalDataInput) => erasePersonalDataFromLog(auditLog, input),
  };
}

export type AuditEvents = ReturnType<typeof createAuditEvents>;
