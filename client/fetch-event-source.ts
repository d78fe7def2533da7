/**
 * An EventSource over `fetch`, for tRPC's subscription link. Node 20 has no global EventSource, and
 * a browser's cannot send headers (a bearer token); this one can, everywhere `fetch` streams.
 * It follows the WHATWG rules the link relies on: named events, `id:` → `lastEventId` and a
 * `Last-Event-ID` header on reconnect, `retry:`, reconnection after a dropped stream, and a final
 * `error` with readyState CLOSED when the server answers anything but an event stream.
 */
export interface FetchEventSourceInit {
  headers?: Record<string, string>;
  credentials?: 'omit' | 'same-origin' | 'include';
  fetch?: typeof fetch;
  /** Delay before reconnecting, until the server sends `retry:` (default 1 s). */
  retryMs?: number;
}

type Listener = (event: MessageEventLike | ErrorEventLike) => void;

export interface MessageEventLike {
  type: string;
  data: string;
  lastEventId: string;
}

export interface ErrorEventLike {
  type: 'error';
  /** The HTTP status when the server refused the stream. */
  status?: number;
  error?: unknown;
}

export class FetchEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSED = 2;
  readyState = 0;
  readonly withCredentials: boolean;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly abort = new AbortController();
  private lastEventId = '';
  private retryMs: number;

  constructor(
    readonly url: string,
    private readonly init: FetchEventSourceInit = {},
  ) {
    this.withCredentials = init.credentials === 'include';
    this.retryMs = init.retryMs ?? 1_000;
    void this.connect();
  }

  addEventListener(type: string, listener: Listener): void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }

  removeEventListener(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener);
  }

  close(): void {
    this.readyState = FetchEventSource.CLOSED;
    this.abort.abort();
  }

  private async connect(): Promise<void> {
    while (this.readyState !== FetchEventSource.CLOSED) {
      try {
        const response = await (this.init.fetch ?? globalThis.fetch)(this.url, {
          headers: { accept: 'text/event-stream', ...this.init.headers, ...(this.lastEventId ? { 'last-event-id': this.lastEventId } : {}) },
          credentials: this.init.credentials,
          signal: this.abort.signal,
        });
        if (!response.ok || !response.body || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
          this.readyState = FetchEventSource.CLOSED;
          await response.body?.cancel().catch(() => undefined);
          this.dispatch({ type: 'error', status: response.status });
          return;
        }
        this.readyState = FetchEventSource.OPEN;
        this.dispatch({ type: 'open', data: '', lastEventId: this.lastEventId });
        await this.read(response.body);
      } catch (error) {
        if (this.readyState === FetchEventSource.CLOSED) return;
        this.readyState = FetchEventSource.CONNECTING;
        this.dispatch({ type: 'error', error });
      }
      if (this.readyState === FetchEventSource.CLOSED) return;
      this.readyState = FetchEventSource.CONNECTING;
      await new Promise((done) => setTimeout(done, this.retryMs));
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    const reader = body.getReader();
    let buffer = '';
    let fields: { event?: string; data: string[]; id?: string } = { data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          this.emit(fields);
          fields = { data: [] };
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const name = colon === -1 ? line : line.slice(0, colon);
          const content = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (name === 'data') fields.data.push(content);
          else if (name === 'event') fields.event = content;
          else if (name === 'id' && !content.includes('\u0000')) fields.id = content;
          else if (name === 'retry' && /^\d+$/.test(content)) this.retryMs = Number(content);
        }
      }
    }
  }

  private emit(fields: { event?: string; data: string[]; id?: string }): void {
    if (fields.id !== undefined) this.lastEventId = fields.id;
    if (fields.data.length === 0) return;
    this.dispatch({ type: fields.event || 'message', data: fields.data.join('\n'), lastEventId: this.lastEventId });
  }

  private dispatch(event: MessageEventLike | ErrorEventLike): void {
    for (const listener of this.listeners.get(event.type) ?? []) listener(event);
  }
}
