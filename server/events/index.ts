/**
 * The events slice's public face: what other slices, the plugins and the composition root use.
 * Everything else in this folder is its own business.
 */
export * from './event.schema';
export { createActionCatalog, BUILT_IN_ACTIONS, type ActionCatalog, type ActionDefinition, type TCustomActionInput } from './action-catalog';
export { ANONYMOUS_ACTOR } from './event-recorder';
export { createEventRecorder, UNSCOPED_TENANT, type EventRecorder } from './event-recorder';
export { fromEventDocument, toEventDocument, type EventDocument, type LegacyEventDocument } from './event.document';
export { AUDIT_EVENTS_COLLECTION, AUDIT_LOG_COLLECTION_PREFIX, EVENT_INDEXES } from './event.model';
export { ZEventFilters, ZEventFiltersInput, type TEventFilters, type TEventFiltersInput, type TListEventsRequest } from './event-filters.schema';
export { createEventRepository, type EventRepository } from './event.repository';
export { createEventWritesRepository } from './event-writes.repository';
export { createEventActivityRepository, type EventActivityRepository } from './event-activity.repository';
export { ZActivity, type TActivity } from './event-activity';
export { ZActorKind, type TActorKind } from './actor-kind';
export { createEventMigration, type EventMigration, type MigrationProgress } from './event-migration.repository';
export { createAffectedRecordsRepository, type AffectedRecordsRepository } from './affected-records.repository';
export { createEventErasureRepository, type EventErasureRepository } from './event-erasure.repository';
export { createEventsRouter } from './events.router';
export { createReadRecorder } from './read-recorder';
export { createCursorCodec } from './event-cursor';
export type { OpenPageStreamsOptions } from './open-page-streams';
export { createLiveEvents, type LiveEvents, type TWatchMessage } from './live-events';
export { createLiveReplayRepository } from './live-replay.repository';
export { ZFollowEventsInput, type TFollowEventsInput, type TLiveMessage } from './live-events.schema';
export * as storedForm from './stored-form';
export { hashedPartBytes, hashedPartOf, type StoredEventV2, type THashedPart } from './stored-form';
export { renderedFailureReason, storedActorEmail } from './stored-form/decode-event';
export { personal, type TPersonalKind } from './stored-form/personal-marks';
export { createEventSealsRepository, EVENT_ARRIVALS_COLLECTION, EVENT_SEALS_COLLECTION, type EventArrival, type EventSealsRepository } from './event-seals.repository';
export { eventMatchesFilters } from './event-match';
export { escapeRegex } from './event-query';
export { eraseDataSubject, type DataSubjectErasure, type EraseDataSubjectDeps, type ErasedPerson } from './erase-data-subject';
export { containsAddress, ZErasureRequest, type TErasureRequest } from './stored-form/erase-values';
export type { TDataSubject } from './stored-form/stored-event.schema';
export { ERASED_MARKER } from './stored-form/description-template';
