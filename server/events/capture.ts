/**
 * The events slice's capture face: what recording an event needs, and nothing of the read side
 * (pages, filters, the activity chart, live views, the tRPC router). The plugins and the
 * composition root import from here, so a host that only captures never loads the rest: its
 * resident heap is what the garbage collector walks on every major collection of an
 * allocation-heavy host request (docs/PERFORMANCE.md, issue 17). `./index` is everything.
 */
export { createActionCatalog } from './action-catalog';
export { createAffectedRecordsRepository } from './affected-records.repository';
export { ANONYMOUS_ACTOR, createEventRecorder, UNSCOPED_TENANT } from './event-recorder';
export { createEventWritesRepository } from './event-writes.repository';
export { createEventMigration } from './event-migration.repository';
export { createEventSealsRepository } from './event-seals.repository';
export { AUDIT_LOG_COLLECTION_PREFIX } from './event.model';
export { AuditEventValidationError, EVENT_LIMITS } from './event.schema';
export { ERASED_MARKER } from './stored-form/description-template';
export { personal } from './stored-form/personal-marks';
// What the integrity slice hashes and decodes (its sealer is built with capture):
export * as storedForm from './stored-form';
export { hashedPartBytes, hashedPartOf, type StoredEventV2 } from './stored-form';
