import type { TAuditCaller } from '../../server/access';
import { endsCaller, watchLiveCaller, type SessionEnds, type TSessionEnd } from '../../server/live';

const caller: TAuditCaller = { tenantId: 't1', actorId: 'u1', role: 'admin', sessionId: 's1' };

function localSessionEnds() {
  const listeners = new Set<(ended: TSessionEnd) => void>();
  const ends: SessionEnds = {
    end: async (ended) => listeners.forEach((listener) => listener(ended)),
    onEnd: (listener) => (listeners.add(listener), () => void listeners.delete(listener)),
  };
  return { ends, listenerCount: () => listeners.size };
}

describe('endsCaller', () => {
  it('ends the named session of the caller’s tenant', () => {
    expect(endsCaller({ tenantId: 't1', sessionId: 's1' }, caller)).toBe(true);
    expect(endsCaller({ tenantId: 't1', sessionId: 's2' }, caller)).toBe(false);
  });

  it('ends every session of the named user', () => {
    expect(endsCaller({ tenantId: 't1', actorId: 'u1' }, caller)).toBe(true);
    expect(endsCaller({ tenantId: 't1', actorId: 'u2' }, caller)).toBe(false);
  });

  it('never ends another tenant’s caller of the same ids', () => {
    expect(endsCaller({ tenantId: 't2', sessionId: 's1', actorId: 'u1' }, caller)).toBe(false);
  });

  it('ends nothing when neither a session nor a user is named', () => {
    expect(endsCaller({ tenantId: 't1' }, { ...caller, sessionId: undefined })).toBe(false);
  });
});

describe('watchLiveCaller', () => {
  it('aborts when a matching session end is announced, saying why', async () => {
    const { ends, listenerCount } = localSessionEnds();
    const watch = watchLiveCaller({ caller, stillAllowed: async () => true, sessionEnds: ends, everyMs: 60_000 });
    await ends.end({ tenantId: 't1', sessionId: 'other' });
    expect(watch.signal.aborted).toBe(false);
    await ends.end({ tenantId: 't1', sessionId: 's1' });
    expect(watch.signal.aborted).toBe(true);
    expect(watch.endedBecause()).toBe('the session ended');
    watch.stop();
    expect(listenerCount()).toBe(0);
  });

  it('aborts when the periodic re-check finds the caller may no longer read', async () => {
    let allowed = true;
    const watch = watchLiveCaller({ caller, stillAllowed: async () => allowed, everyMs: 10 });
    await new Promise((done) => setTimeout(done, 50));
    expect(watch.signal.aborted).toBe(false);
    allowed = false;
    while (!watch.signal.aborted) await new Promise((done) => setTimeout(done, 10));
    expect(watch.endedBecause()).toBe('the caller may no longer read');
    watch.stop();
  });

  it('aborts with the request and then gives no reason (the client left)', () => {
    const request = new AbortController();
    const watch = watchLiveCaller({ caller, stillAllowed: async () => true, signal: request.signal });
    request.abort();
    expect(watch.signal.aborted).toBe(true);
    expect(watch.endedBecause()).toBeUndefined();
    watch.stop();
  });
});
