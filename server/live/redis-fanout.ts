import type { Redis } from 'ioredis';
import superjson from 'superjson';

/**
 * Delivers messages to listeners on every API instance: publish goes to one Redis channel, each
 * instance's subscriber connection hands it to its local listeners of that topic (e.g. one user).
 */
export interface RedisFanout<T> {
  publish(topic: string, message: T): Promise<void>;
  subscribe(topic: string, listener: (message: T) => void): () => void;
  /** Yields messages of `topic` until `signal` aborts: what a tRPC subscription returns. */
  stream(topic: string, signal: AbortSignal | undefined): AsyncGenerator<T>;
  /** Resolves once this instance receives the channel's messages. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export function createRedisFanout<T>(options: { publisher: Redis; subscriber: Redis; channel: string }): RedisFanout<T> {
  const { publisher, subscriber, channel } = options;
  const listeners = new Map<string, Set<(message: T) => void>>();
  const onMessage = (incoming: string, text: string) => {
    if (incoming !== channel) return;
    const { topic, message } = superjson.parse<{ topic: string; message: T }>(text);
    listeners.get(topic)?.forEach((listener) => listener(message));
  };
  subscriber.on('message', onMessage);
  const ready = subscriber.subscribe(channel).then(() => undefined);

  const subscribe = (topic: string, listener: (message: T) => void) => {
    const set = listeners.get(topic) ?? new Set();
    set.add(listener);
    listeners.set(topic, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) listeners.delete(topic);
    };
  };

  return {
    ready,
    async publish(topic, message) {
      await publisher.publish(channel, superjson.stringify({ topic, message }));
    },
    subscribe,
    async *stream(topic, signal) {
      const pending: T[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = subscribe(topic, (message) => {
        pending.push(message);
        wake?.();
      });
      const onAbort = () => wake?.();
      signal?.addEventListener('abort', onAbort);
      try {
        while (!signal?.aborted) {
          if (pending.length === 0) await new Promise<void>((done) => (wake = done));
          wake = undefined;
          while (pending.length > 0 && !signal?.aborted) yield pending.shift()!;
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
        unsubscribe();
      }
    },
    async close() {
      subscriber.off('message', onMessage);
      await subscriber.unsubscribe(channel).catch(() => undefined);
      listeners.clear();
    },
  };
}
