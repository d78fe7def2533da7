/**
 * Driver errors by shape, not by class: a host's mongoose may bring its own copy of the MongoDB
 * driver, whose error classes are not the ones this package imports, so `instanceof` would miss.
 */
export interface DriverWriteError {
  index: number;
  code: number;
  errmsg?: string;
}

export interface DriverServerError {
  name: string;
  code?: number | string;
  message: string;
  hasErrorLabel?: (label: string) => boolean;
}

export const DUPLICATE_KEY = 11000;

export function isDuplicateKeyError(error: unknown): boolean {
  return (error as DriverServerError | undefined)?.code === DUPLICATE_KEY;
}

export function bulkWriteErrorsOf(error: unknown): DriverWriteError[] | undefined {
  if ((error as DriverServerError | undefined)?.name !== 'MongoBulkWriteError') return undefined;
  const writeErrors = (error as { writeErrors?: DriverWriteError | DriverWriteError[] }).writeErrors;
  if (!writeErrors) return undefined;
  return Array.isArray(writeErrors) ? writeErrors : [writeErrors];
}

/** How many documents the server confirms it inserted before the error, if the driver knows. */
export function insertedCountOf(error: unknown): number | undefined {
  const withCount = error as { insertedCount?: unknown; result?: { insertedCount?: unknown } } | undefined;
  const count = withCount?.insertedCount ?? withCount?.result?.insertedCount;
  return typeof count === 'number' ? count : undefined;
}

/** A server's answer (not a network failure or a timeout waiting for one). */
export function isServerError(error: unknown): error is DriverServerError {
  const name = (error as DriverServerError | undefined)?.name;
  return name === 'MongoServerError' || name === 'MongoBulkWriteError' || name === 'MongoWriteConcernError';
}

/** The server stopped a command at its `maxTimeMS` (MongoDB and FerretDB v1 both answer code 50). */
export const MAX_TIME_MS_EXPIRED = 50;

export function isMaxTimeExpired(error: unknown): boolean {
  return (error as DriverServerError | undefined)?.code === MAX_TIME_MS_EXPIRED;
}
