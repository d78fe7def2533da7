import { createAsyncInbox } from '../common/async-inbox';
import type { TEventFilters } from './event-filters.schema';
import { eventMatchesFilters } from './event-match';
import type { TAuditEvent } from './event.schema';
import { isAfterPosition, positionAfterEvent, positionAfterReload, type LivePosition, type TLiveMessage } from './live-events.schema';

/** What missed events a read found: them, in receipt order, or why the client must reload instead. */
export type TReplayed = { events: TAuditEvent[] } | { reload: string };

/** What reaches one view, in arrival order: a published batch, or a read of what it missed. */
export type TViewInput = { kind: 'batch'; events: TAuditEvent[] } | { kind: 'missed'; position: LivePosition; read: Promise<TReplayed> };

export interface TrackedLiveMessage {
  /** The view's position after this message: what a reconnecting client resumes from. */
  position: string;
  message: TLiveMessage;
}

/** Ids a view delivered, the most recent ones: a replay overlaps what arrived live, and the other way round. */
const REMEMBERED_IDS = 10_000;

/**
 * One live view: yields its inputs' events that match `filters`, each once, until `signal` aborts.
 * Inputs arrive through `push` (buffered while a replay read is awaited, so nothing overtakes it).
 */
export function createLiveView(filters: TEventFilters, viewerId: string | undefined, now: () => number) {
  const inbox = createAsyncInbox<TViewInput>();
  const delivered = new Set<string>();
  // The furthest event delivered, in receipt order: live batches and replays interleave, and a
  // reconnect resuming from an earlier one would bring back what was already delivered.
  let furthest: TAuditEvent | undefined;

  const deliverable = (event: TAuditEvent) => !delivered.has(event.id) && eventMatchesFilters(event, filters, viewerId);
  const remember = (id: string) => {
    delivered.add(id);
    if (delivered.size > REMEMBERED_IDS) delivered.delete(delivered.values().next().value!);
  };

  function* deliver(events: TAuditEvent[]): Generator<TrackedLiveMessage> {
    for (const event of events) {
      if (!deliverable(event)) continue;
      remember(event.id);
      if (!furthest || isAfterPosition(event, { since: furthest.receivedAt, afterId: furthest.id })) furthest = event;
      yield { position: positionAfterEvent(furthest), message: { kind: 'event', event } };
    }
  }

  return {
    push(input: TViewInput) {
      inbox.push(input);
    },
    async *messages(signal: AbortSignal | undefined): AsyncGenerator<TrackedLiveMessage> {
      for await (const input of inbox.drain(signal)) {
        if (input.kind === 'batch') {
          yield* deliver(input.events);
          continue;
        }
        const replayed = await input.read;
        if ('reload' in replayed) yield { position: positionAfterReload(now()), message: { kind: 'reload', reason: replayed.reload } };
        else yield* deliver(replayed.events.filter((event) => isAfterPosition(event, input.position)));
      }
    },
  };
}

export type LiveView = ReturnType<typeof createLiveView>;
