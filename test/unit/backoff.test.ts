import { backoffDelayMs } from '../../server/recorder/backoff';

const noJitter = { initialMs: 100, maxMs: 5_000, jitter: 0 };

describe('backoffDelayMs', () => {
  it('doubles from the initial delay', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, noJitter))).toEqual([100, 200, 400, 800]);
  });

  it('never exceeds the maximum, even after many attempts', () => {
    expect(backoffDelayMs(7, noJitter)).toBe(5_000);
    expect(backoffDelayMs(1_000, noJitter)).toBe(5_000);
  });

  it('spreads delays by the jitter fraction', () => {
    const policy = { initialMs: 1_000, maxMs: 60_000, jitter: 0.5 };
    expect(backoffDelayMs(1, policy, () => 0)).toBe(500);
    expect(backoffDelayMs(1, policy, () => 0.5)).toBe(1_000);
    expect(backoffDelayMs(1, policy, () => 0.999_999)).toBe(1_500);
  });

  it('refuses attempts below one', () => {
    expect(() => backoffDelayMs(0)).toThrow(RangeError);
  });
});
