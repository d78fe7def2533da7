import { isAfterPosition, parsePosition, positionAfterEvent, positionAfterReload } from '../../server/events/live-events.schema';

const event = { id: '65a0c0ffee0000000000000a', receivedAt: new Date('2026-03-01T10:00:00.123Z') };

describe('live view positions', () => {
  it('reads back the position after an event: its receipt time and id', () => {
    expect(parsePosition(positionAfterEvent(event))).toEqual({ since: event.receivedAt, afterId: event.id });
  });

  it('reads back the position after a reload: everything received since then', () => {
    expect(parsePosition(positionAfterReload(1_772_359_200_000))).toEqual({ since: new Date(1_772_359_200_000) });
  });

  it('refuses anything else', () => {
    for (const token of ['', 'e1-xyz', 'r', 'rabc', `e${event.receivedAt.getTime()}-${event.id.toUpperCase()}`, `x${positionAfterEvent(event)}`, `${positionAfterEvent(event)}0`]) {
      expect(parsePosition(token)).toBeUndefined();
    }
  });

  it('puts an event after a position by receipt time, then by id at the same millisecond', () => {
    const position = parsePosition(positionAfterEvent(event))!;
    expect(isAfterPosition(event, position)).toBe(false);
    expect(isAfterPosition({ id: '65a0c0ffee0000000000000b', receivedAt: event.receivedAt }, position)).toBe(true);
    expect(isAfterPosition({ id: '65a0c0ffee00000000000009', receivedAt: event.receivedAt }, position)).toBe(false);
    expect(isAfterPosition({ id: '00a0c0ffee00000000000001', receivedAt: new Date(event.receivedAt.getTime() + 1) }, position)).toBe(true);
    expect(isAfterPosition({ id: 'ffa0c0ffee00000000000001', receivedAt: new Date(event.receivedAt.getTime() - 1) }, position)).toBe(false);
  });

  it('puts every event received at or after a reload position after it', () => {
    const position = parsePosition(positionAfterReload(event.receivedAt.getTime()))!;
    expect(isAfterPosition(event, position)).toBe(true);
    expect(isAfterPosition({ ...event, receivedAt: new Date(event.receivedAt.getTime() - 1) }, position)).toBe(false);
  });
});
