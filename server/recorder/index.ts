/** The batching recorder behind record(): the port it writes through, its spill store, its errors. */
export { BatchRecorder, TransientWriteError, type BatchRecorderOptions, type BatchWriteResult, type RecordedDocument, type RecorderCounters, type SpillStore } from './batch-recorder';
export { RedisSpillStore } from './redis-spill-store';
export { AuditLogClosedError, AuditLogOverloadedError } from './recorder.errors';
export type { BackoffPolicy } from './backoff';
