import { bearerToken, signApiToken, verifyApiToken } from '../../server/auth/api-token';

const SECRET = 's'.repeat(32);
const caller = { tenantId: 'tenant-a', actorId: 'u1', actorName: 'Ada', role: 'admin' };
const now = new Date('2026-06-01T12:00:00Z');

describe('standalone API tokens', () => {
  it('verify to the caller they were signed for', () => {
    expect(verifyApiToken(signApiToken(caller, SECRET, { now }), SECRET, now)).toEqual(caller);
  });

  it('expire after their time to live', () => {
    const token = signApiToken(caller, SECRET, { now, ttlSeconds: 60 });
    expect(verifyApiToken(token, SECRET, new Date(now.getTime() + 61_000))).toBeNull();
  });

  it('are refused when signed with another secret', () => {
    expect(verifyApiToken(signApiToken(caller, 't'.repeat(32), { now }), SECRET, now)).toBeNull();
  });

  it('are refused when the payload was edited', () => {
    const [version, payload, mac] = signApiToken(caller, SECRET, { now }).split('.');
    const promoted = Buffer.from(Buffer.from(payload!, 'base64url').toString().replace('tenant-a', 'tenant-b')).toString('base64url');
    expect(verifyApiToken(`${version}.${promoted}.${mac}`, SECRET, now)).toBeNull();
  });

  it('are read from a Bearer authorization header only', () => {
    expect(bearerToken('Bearer v1.abc.def')).toBe('v1.abc.def');
    expect(bearerToken('Basic dXNlcg==')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
