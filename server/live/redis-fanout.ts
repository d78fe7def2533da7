import type { Redis } from 'ioredis';
import superjson from 'superjson';
import { createAsyncInbox } from '../common/async-inbox';

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
  /**
   * Calls the listener each time this instance receives the channel again after its subscriber
   * connection dropped (a Redis restart, a network blip), with when it dropped: whatever was
   * published in between never arrived here. Returns the function that removes it.
   */
  onResumed(listener: (lostAt: number) => void): () => void;
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

  const resumedListeners = new Set<(lostAt: number) => void>();
  let lostAt: number | undefined;
  const onLost = () => void (lostAt ??= Date.now());
  // ioredis resubscribes on reconnect but says nothing when that is done; SUBSCRIBE is idempotent, so
  // ours, queued behind its own, resolves once Redis delivers the channel here again.
  const onReady = () => {
    const since = lostAt;
    if (since === undefined) return;
    subscriber.subscribe(channel).then(
      () => {
        if (lostAt !== since) return; // dropped again meanwhile: the next ready reports the whole gap
        lostAt = undefined;
        resumedListeners.forEach((listener) => listener(since));
      },
      () => undefined, // the connection dropped again; its next ready retries
    );
  };
  subscriber.on('close', onLost);
  subscriber.on('ready', onReady);

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
    onResumed(listener) {
      resumedListeners.add(listener);
      return () => void resumedListeners.delete(listener);
    },
    async *stream(topic, signal) {
      const inbox = createAsyncInbox<T>();
      const unsubscribe = subscribe(topic, (message) => inbox.push(message));
      try {
        yield* inbox.drain(signal);
      } finally {
        unsubscribe();
      }
    },
    async close() {
      subscriber.off('message', onMessage);
      subscriber.off('close', onLost);
      subscriber.off('ready', onReady);
      resumedListeners.clear();
      await subscriber.unsubscribe(channel).catch(() => undefined);
      listeners.clear();
    },
  };
}
