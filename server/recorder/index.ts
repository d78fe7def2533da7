/** The batching recorder behind record(): the port it writes through, its spill tiers (write-ahead log, Redis), its errors. */
export { BatchRecorder, TransientWriteError, type BatchRecorderOptions, type BatchWriteResult, type EventJournal, type RecordedDocument, type RecorderCounters, type SpillStore } from './batch-recorder';
export { RedisSpillStore } from './redis-spill-store';
export { WriteAheadLog } from './write-ahead-log';
export { durabilityOf, ZDurability, type TDurability, type TDurabilityInput } from './durability';
export { checkRedisPersistence, type RedisPersistence, type RedisPersistenceReport } from './redis-persistence';
export { AuditLogClosedError, AuditLogOverloadedError } from './recorder.errors';
export type { BackoffPolicy } from './backoff';
