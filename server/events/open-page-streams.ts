import type { FindCursor } from 'mongodb';
import type { EventDocument } from './event.document';

/**
 * Open result streams of recent searches, keyed by the `nextCursor` handed out with the page they
 * continue. Paging is keyset-based and correct without them (another instance, an expired stream,
 * a restart: the keyset query runs). They exist for servers that cannot sort from an index, such as
 * FerretDB v1, where every sorted query reads all of a tenant's events: with a stream, a search
 * sorts once and each further page is one `getMore`. Bounded in number and idle time.
 */
interface OpenStream {
  cursor: FindCursor<EventDocument>;
  /** The event read to learn whether another page follows; the next page starts with it. */
  peeked: EventDocument;
  expiresAt: number;
}

export interface OpenPageStreamsOptions {
  maxOpen?: number;
  idleMs?: number;
  clock?: () => number;
}

export class OpenPageStreams {
  private readonly streams = new Map<string, OpenStream>();
  private readonly maxOpen: number;
  private readonly idleMs: number;
  private readonly clock: () => number;

  constructor(options: OpenPageStreamsOptions = {}) {
    this.maxOpen = options.maxOpen ?? 100;
    this.idleMs = options.idleMs ?? 60_000;
    this.clock = options.clock ?? Date.now;
  }

  /** Takes the stream that continues after `token` (it is removed: a cursor is read once). */
  take(token: string): { cursor: FindCursor<EventDocument>; peeked: EventDocument } | undefined {
    this.sweep();
    const stream = this.streams.get(token);
    if (!stream) return undefined;
    this.streams.delete(token);
    return stream;
  }

  keep(token: string, cursor: FindCursor<EventDocument>, peeked: EventDocument): void {
    if (this.maxOpen <= 0) return void cursor.close().catch(() => undefined);
    this.sweep();
    while (this.streams.size >= this.maxOpen) this.closeOldest();
    this.streams.set(token, { cursor, peeked, expiresAt: this.clock() + this.idleMs });
  }

  closeAll(): void {
    for (const token of [...this.streams.keys()]) this.close(token);
  }

  get size(): number {
    return this.streams.size;
  }

  private sweep(): void {
    const now = this.clock();
    for (const [token, stream] of this.streams) if (stream.expiresAt <= now) this.close(token);
  }

  private closeOldest(): void {
    const oldest = this.streams.keys().next().value;
    if (oldest !== undefined) this.close(oldest);
  }

  private close(token: string): void {
    const stream = this.streams.get(token);
    this.streams.delete(token);
    void stream?.cursor.close().catch(() => undefined);
  }
}
