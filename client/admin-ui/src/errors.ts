/** The tRPC error code (UNAUTHORIZED, FORBIDDEN, …) of a failed call, whatever typed it. */
export function trpcErrorCode(error: unknown): string | undefined {
  const code = (error as { data?: { code?: unknown } } | null | undefined)?.data?.code;
  return typeof code === 'string' ? code : undefined;
}

/** How long the server asked a refused read to wait (429's `data.retryAfterMs`), if it said. */
export function retryAfterMsOf(error: unknown): number | undefined {
  const ms = (error as { data?: { retryAfterMs?: unknown } } | null | undefined)?.data?.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** Reads refused for being too many at once: worth asking again, after the wait the server named. */
export const isBusyError = (error: unknown) => trpcErrorCode(error) === 'TOO_MANY_REQUESTS';

/** Asking again will not change these answers (a search that timed out would time out again). */
export const isFinalError = (error: unknown) => ['UNAUTHORIZED', 'FORBIDDEN', 'BAD_REQUEST', 'NOT_FOUND', 'TIMEOUT'].includes(trpcErrorCode(error) ?? '');

export interface ReadErrorMessage {
  title: string;
  detail: string;
}

/** What a person reads when a search fails: what happened and what to do, not the server's wording. */
export function describeReadError(error: unknown, retrying: boolean): ReadErrorMessage {
  if (isBusyError(error)) {
    return {
      title: 'Too many searches at once — retrying in a moment',
      detail: retrying ? 'Your workspace is running other searches of the audit log. This one starts again by itself.' : 'Your workspace is running other searches of the audit log. Try again in a moment.',
    };
  }
  if (trpcErrorCode(error) === 'TIMEOUT') {
    return { title: 'The search took too long — narrow the date range', detail: 'Choose a shorter period, or filter by user, action or record, and search again.' };
  }
  return { title: 'The audit log could not be loaded', detail: (error as { message?: unknown } | null)?.message ? String((error as { message: unknown }).message) : 'Unknown error' };
}

/** What the live toggle says about the stream, beside Live / Paused. */
export function describeLiveStatus(status: string, everConnected: boolean): string | undefined {
  if (status === 'error') return 'Live updates stopped — reload the page';
  if (status === 'connecting' && everConnected) return 'Live updates paused — reconnecting';
  return undefined;
}
