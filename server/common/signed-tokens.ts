import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256, base64url. */
export function hmacBase64Url(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('base64url');
}

/** Compares two strings in time independent of where they differ. */
export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Opaque signed tokens: a JSON payload as base64url and an HMAC over `<label>.<payload>`, written
 * `<version>.<payload>.<mac>` (or `<payload>.<mac>` without a version). Page cursors, API bearer
 * tokens and download links are three of these, each with its own secret and label. `open` answers
 * the parsed payload, or null for anything forged, edited or malformed; checking its fields (zod,
 * expiry) is the caller's.
 */
export function signedTokens(secret: string, { label, version }: { label: string; version?: string }) {
  const mac = (payload: string) => hmacBase64Url(secret, `${label}.${payload}`);
  return {
    seal(payload: unknown): string {
      const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return version ? `${version}.${encoded}.${mac(encoded)}` : `${encoded}.${mac(encoded)}`;
    },
    open(token: string, { maxLength = 4_096 }: { maxLength?: number } = {}): unknown | null {
      if (token.length > maxLength) return null;
      const parts = token.split('.');
      if (version && parts.shift() !== version) return null;
      const [encoded, signature, ...rest] = parts;
      if (!encoded || !signature || rest.length > 0 || !sameText(signature, mac(encoded))) return null;
      try {
        return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as unknown;
      } catch {
        return null;
      }
    },
  };
}
