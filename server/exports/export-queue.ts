import { Queue, type ConnectionOptions } from 'bullmq';
import type { TExportJobPayload } from './export.schema';

export const EXPORT_QUEUE = 'audit-exports';
export const RETENTION_JOB = 'export-retention';

/** Retries with backoff; BullMQ's stalled-job check hands a killed worker's job to another one. */
export const EXPORT_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { count: 1_000 },
  removeOnFail: { count: 1_000 },
} as const;

export function createExportQueue(connection: ConnectionOptions, prefix: string) {
  return new Queue<TExportJobPayload>(EXPORT_QUEUE, { connection, prefix, defaultJobOptions: EXPORT_JOB_OPTIONS });
}

export type ExportQueue = ReturnType<typeof createExportQueue>;
