import { clientIpFrom } from '../../plugins/request-context/client-ip';
import { parseUserAgent } from '../../plugins/request-context/user-agent';

const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const IPAD = 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

describe('client IP address', () => {
  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(clientIpFrom({ remoteAddress: '10.0.0.5', forwardedFor: '203.0.113.7', trustProxy: false })).toBe('10.0.0.5');
  });

  it('takes the original client from X-Forwarded-For behind a trusted proxy', () => {
    expect(clientIpFrom({ remoteAddress: '10.0.0.5', forwardedFor: '203.0.113.7, 10.0.0.2', trustProxy: true })).toBe('203.0.113.7');
  });

  it('counts trusted hops from the right so a forged left-most entry is not believed', () => {
    expect(clientIpFrom({ remoteAddress: '10.0.0.5', forwardedFor: '6.6.6.6, 198.51.100.4', trustProxy: 1 })).toBe('198.51.100.4');
  });

  it('reports an IPv4 caller seen through an IPv6 socket as IPv4', () => {
    expect(clientIpFrom({ remoteAddress: '::ffff:127.0.0.1', forwardedFor: undefined, trustProxy: false })).toBe('127.0.0.1');
  });
});

describe('user agent parsing', () => {
  it('recognises a desktop browser and its OS', () => {
    expect(parseUserAgent(CHROME_MAC)).toEqual({ deviceType: 'desktop', browser: 'Chrome 126', os: 'macOS Catalina' });
  });

  it('recognises a phone', () => {
    expect(parseUserAgent(SAFARI_IPHONE)).toMatchObject({ deviceType: 'mobile', browser: 'Safari 17', os: 'iOS 17.5' });
  });

  it('recognises a tablet', () => {
    expect(parseUserAgent(IPAD).deviceType).toBe('tablet');
  });

  it('recognises a crawler as a bot', () => {
    expect(parseUserAgent(GOOGLEBOT).deviceType).toBe('bot');
  });

  it('calls a missing user agent unknown', () => {
    expect(parseUserAgent(undefined)).toEqual({ deviceType: 'unknown' });
  });
});
