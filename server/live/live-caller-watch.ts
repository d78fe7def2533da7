import type { TAuditCaller } from '../access';
import { endsCaller, type SessionEnds } from './session-ends';

/** How often a live stream asks the host again whether its caller may still read (default 5 s). */
export const LIVE_RECHECK_MS = 5_000;

export interface LiveCallerWatch {
  /** Aborts when the request's does, or when the caller may no longer read. */
  readonly signal: AbortSignal;
  /** Why the caller lost access, once it has (else undefined). */
  endedBecause(): string | undefined;
  stop(): void;
}

/**
 * Keeps a live stream's caller honest: every `everyMs` it asks `stillAllowed` (the host's adapter,
 * again), and it listens for session ends announced on any instance; either ends the stream.
 */
export function watchLiveCaller(options: {
  caller: TAuditCaller;
  stillAllowed: () => Promise<boolean>;
  sessionEnds?: SessionEnds;
  everyMs?: number;
  signal?: AbortSignal;
  onCheckFailed?: (error: unknown) => void;
}): LiveCallerWatch {
  const controller = new AbortController();
  let because: string | undefined;
  const end = (reason: string) => {
    if (controller.signal.aborted) return;
    because = reason;
    controller.abort(new Error(reason));
  };
  const onRequestAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onRequestAbort();
  options.signal?.addEventListener('abort', onRequestAbort, { once: true });
  const stopListening = options.sessionEnds?.onEnd((ended) => {
    if (endsCaller(ended, options.caller)) end('the session ended');
  });
  const recheck = setInterval(() => {
    options.stillAllowed().then(
      (allowed) => allowed || end('the caller may no longer read'),
      (error: unknown) => options.onCheckFailed?.(error),
    );
  }, options.everyMs ?? LIVE_RECHECK_MS);
  recheck.unref();

  return {
    signal: controller.signal,
    endedBecause: () => because,
    stop() {
      clearInterval(recheck);
      stopListening?.();
      options.signal?.removeEventListener('abort', onRequestAbort);
    },
  };
}
