/**
 * The caller's IP address. X-Forwarded-For is written by whoever sent the request, so it is only
 * believed when the host says a proxy it trusts sits in front: `trustProxy: true` takes the
 * left-most address (the original client as the first proxy saw it), a number `n` takes the
 * address `n` hops from the right, so a client cannot forge its way past the host's own proxies.
 */
export type TrustProxySetting = boolean | number;

export interface ClientIpSources {
  remoteAddress: string | undefined;
  forwardedFor: string | string[] | undefined;
  trustProxy: TrustProxySetting;
}

export function clientIpFrom({ remoteAddress, forwardedFor, trustProxy }: ClientIpSources): string | undefined {
  const direct = normaliseIp(remoteAddress);
  if (trustProxy === false || trustProxy === 0 || forwardedFor === undefined) return direct;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((hop) => normaliseIp(hop.trim()))
    .filter((hop): hop is string => !!hop);
  if (hops.length === 0) return direct;
  if (trustProxy === true) return hops[0];
  return hops[Math.max(0, hops.length - trustProxy)] ?? direct;
}

/** `::ffff:10.0.0.1` (IPv4 seen through an IPv6 socket) is the same caller as `10.0.0.1`. */
export function normaliseIp(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const trimmed = address.trim().slice(0, 64);
  if (trimmed.startsWith('::ffff:') && trimmed.includes('.')) return trimmed.slice(7);
  return trimmed || undefined;
}
