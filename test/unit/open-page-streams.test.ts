import type { FindCursor } from 'mongodb';
import type { EventDocument } from '../../server/events/event.document';
import { OpenPageStreams } from '../../server/events/open-page-streams';

function fakeCursor() {
  const cursor = { closed: false, close: async () => void (cursor.closed = true) };
  return cursor;
}
const asCursor = (cursor: ReturnType<typeof fakeCursor>) => cursor as unknown as FindCursor<EventDocument>;
const peeked = {} as EventDocument;

describe('open page streams', () => {
  it('hands a kept stream out once', () => {
    const streams = new OpenPageStreams();
    streams.keep('a', asCursor(fakeCursor()), peeked);
    expect(streams.take('a')).toBeDefined();
    expect(streams.take('a')).toBeUndefined();
  });

  it('closes the oldest stream past the bound', () => {
    const streams = new OpenPageStreams({ maxOpen: 2 });
    const first = fakeCursor();
    streams.keep('a', asCursor(first), peeked);
    streams.keep('b', asCursor(fakeCursor()), peeked);
    streams.keep('c', asCursor(fakeCursor()), peeked);
    expect(first.closed).toBe(true);
    expect(streams.size).toBe(2);
    expect(streams.take('a')).toBeUndefined();
  });

  it('closes streams left idle past their time', () => {
    let now = 0;
    const streams = new OpenPageStreams({ idleMs: 1_000, clock: () => now });
    const cursor = fakeCursor();
    streams.keep('a', asCursor(cursor), peeked);
    now = 1_000;
    expect(streams.take('a')).toBeUndefined();
    expect(cursor.closed).toBe(true);
  });

  it('keeps nothing, and closes the cursor, when turned off', () => {
    const streams = new OpenPageStreams({ maxOpen: 0 });
    const cursor = fakeCursor();
    streams.keep('a', asCursor(cursor), peeked);
    expect(cursor.closed).toBe(true);
    expect(streams.size).toBe(0);
  });
});
