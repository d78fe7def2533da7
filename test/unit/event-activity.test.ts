import { activityRange, ACTIVITY_MAX_DAYS, toActivity } from '../../server/events/event-activity';
import { actorKindOf } from '../../server/events/actor-kind';
import { hourOf } from '../../server/events/event.document';

const now = new Date('2026-05-04T10:30:00.000Z');
const DAY = 86_400_000;

describe('activityRange (what the chart covers)', () => {
  it('uses the filters’ own range when both ends are given', () => {
    const from = new Date('2026-05-01T00:00:00Z');
    const to = new Date('2026-05-02T00:00:00Z');
    expect(activityRange({ from, to }, null, now)).toEqual({ from, to, clipped: false });
  });

  it('starts at the oldest matching event and ends now when no range is given', () => {
    const oldest = new Date('2026-04-20T08:00:00Z');
    expect(activityRange({}, oldest, now)).toEqual({ from: oldest, to: now, clipped: false });
  });

  it('covers an instant when nothing matches', () => {
    expect(activityRange({}, null, now)).toEqual({ from: now, to: now, clipped: false });
  });

  it('cuts a range longer than a year to its last year and says so', () => {
    const range = activityRange({ from: new Date('2020-01-01T00:00:00Z') }, null, now);
    expect(range).toEqual({ from: new Date(now.getTime() - ACTIVITY_MAX_DAYS * DAY), to: now, clipped: true });
  });
});

describe('toActivity (the grouped counts as the answer)', () => {
  const range = { from: new Date('2026-05-04T00:00:00Z'), to: now, clipped: false };

  it('lists hours oldest first and totals them', () => {
    const first = hourOf(range.from);
    const answer = toActivity(range, [
      { hour: first + 5, count: 2 },
      { hour: first, count: 3 },
    ]);
    expect(answer.hours).toEqual([
      [first, 3],
      [first + 5, 2],
    ]);
    expect(answer.total).toBe(5);
    expect(answer.uncounted).toBe(0);
  });

  it('counts events stored without an hour apart, in the total but not in any hour', () => {
    const answer = toActivity(range, [
      { hour: null, count: 4 },
      { hour: hourOf(now), count: 1 },
    ]);
    expect(answer).toMatchObject({ total: 5, uncounted: 4, hours: [[hourOf(now), 1]] });
  });
});

describe('actorKindOf (who belongs in the user menu)', () => {
  it('tells people, API keys and the system apart by their stored type', () => {
    expect(actorKindOf('user', 'u-alice')).toBe('person');
    expect(actorKindOf('api_key', 'key-1')).toBe('api_key');
    expect(actorKindOf('system', 'system')).toBe('system');
  });

  it('treats a failed sign-in’s identity as attempted, not as a user', () => {
    expect(actorKindOf('user', 'unknown:eve@example.test')).toBe('attempted');
  });

  it('treats a type it does not know as attempted rather than listing it among users', () => {
    expect(actorKindOf('anonymous', 'eve@example.test')).toBe('attempted');
  });
});
