/**
 * Items pushed from callbacks (a Redis message, a replay), taken in order by one async reader until
 * its signal aborts: the queue behind each live stream.
 */
export function createAsyncInbox<T>() {
  const items: T[] = [];
  let wake: (() => void) | undefined;
  return {
    push(item: T): void {
      items.push(item);
      wake?.();
    },
    async *drain(signal: AbortSignal | undefined): AsyncGenerator<T> {
      const onAbort = () => wake?.();
      signal?.addEventListener('abort', onAbort);
      try {
        while (!signal?.aborted) {
          if (items.length === 0) await new Promise<void>((done) => (wake = done));
          wake = undefined;
          while (items.length > 0 && !signal?.aborted) yield items.shift()!;
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}
