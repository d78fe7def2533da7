import { describeLiveStatus, describeReadError, isBusyError, isFinalError, retryAfterMsOf } from '../../client/admin-ui/src/errors';

const failure = (code: string, extra: Record<string, unknown> = {}) => ({ message: 'Too many audit-log reads at once for this tenant (…); retry in 1 s', data: { code, ...extra } });

describe("the admin page's words for failed reads", () => {
  it('tells a person the search is retried when the server is busy (429)', () => {
    expect(describeReadError(failure('TOO_MANY_REQUESTS'), true)).toEqual({ title: 'Too many searches at once — retrying in a moment', detail: expect.stringContaining('starts again by itself') });
    expect(describeReadError(failure('TOO_MANY_REQUESTS'), false).detail).toContain('Try again in a moment');
  });

  it('asks for a narrower date range when the search timed out (408)', () => {
    expect(describeReadError(failure('TIMEOUT'), false).title).toBe('The search took too long — narrow the date range');
  });

  it("shows another failure's own message under a plain title", () => {
    expect(describeReadError({ message: 'fetch failed' }, false)).toEqual({ title: 'The audit log could not be loaded', detail: 'fetch failed' });
  });

  it('retries a busy answer after the wait the server named, never a timeout or a refusal', () => {
    expect(isBusyError(failure('TOO_MANY_REQUESTS'))).toBe(true);
    expect(retryAfterMsOf(failure('TOO_MANY_REQUESTS', { retryAfterMs: 1_000 }))).toBe(1_000);
    expect(retryAfterMsOf(failure('TOO_MANY_REQUESTS', { retryAfterMs: 'soon' }))).toBeUndefined();
    for (const code of ['TIMEOUT', 'FORBIDDEN', 'UNAUTHORIZED', 'BAD_REQUEST']) expect(isFinalError(failure(code))).toBe(true);
    expect(isFinalError(failure('INTERNAL_SERVER_ERROR'))).toBe(false);
  });

  it('says live updates are reconnecting only after the stream had been open', () => {
    expect(describeLiveStatus('connecting', false)).toBeUndefined();
    expect(describeLiveStatus('connecting', true)).toBe('Live updates paused — reconnecting');
    expect(describeLiveStatus('pending', true)).toBeUndefined();
    expect(describeLiveStatus('error', true)).toBe('Live updates stopped — reload the page');
  });
});
