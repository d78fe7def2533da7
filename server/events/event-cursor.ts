import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { TEventFilters } from './event-filters.schema';
import type { EventPosition } from './event-query';

/**
 * Pure: the opaque page cursor. `v1.<payload>.<mac>`, both base64url; the payload holds the last
 * event's (occurredAt, id) and a digest of the tenant and filters, the mac is HMAC-SHA256 over
 * both. A cursor from another tenant, other filters or another key, or an edited one, is refused.
 */
export class InvalidCursorError extends Error {
  constructor(reason: string) {
    super(`cursor: ${reason}`);
    this.name = 'InvalidCursorError';
  }
}

export interface CursorBinding {
  tenantId: string;
  filters: TEventFilters;
}

const VERSION = 'v1';

export function createCursorCodec(secret: string) {
  if (secret.length < 32) throw new Error('the cursor secret must be at least 32 characters');
  const mac = (payload: string) => createHmac('sha256', secret).update(`${VERSION}.${payload}`).digest('base64url');

  return {
    encode(position: EventPosition, binding: CursorBinding): string {
      const payload = Buffer.from(JSON.stringify({ t: position.occurredAt.getTime(), i: position.id, b: bindingDigest(binding) })).toString('base64url');
      return `${VERSION}.${payload}.${mac(payload)}`;
    },

    decode(cursor: string, binding: CursorBinding): EventPosition {
      const [version, payload, signature, ...rest] = cursor.split('.');
      if (version !== VERSION || !payload || !signature || rest.length > 0) throw new InvalidCursorError('is not a valid cursor');
      if (!sameText(signature, mac(payload))) throw new InvalidCursorError('is not a valid cursor');
      const parsed = parsePayload(payload);
      if (parsed.b !== bindingDigest(binding)) throw new InvalidCursorError('belongs to a different search; start again from the first page');
      return { occurredAt: new Date(parsed.t), id: parsed.i };
    },
  };
}

export type CursorCodec = ReturnType<typeof createCursorCodec>;

function parsePayload(payload: string): { t: number; i: string; b: string } {
  try {
    const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const { t, i, b } = value;
    if (typeof t === 'number' && Number.isFinite(t) && typeof i === 'string' && /^[0-9a-f]{24}$/.test(i) && typeof b === 'string') return { t, i, b };
  } catch {
    // falls through: a signed but unreadable payload means the key leaked or the format changed
  }
  throw new InvalidCursorError('is not a valid cursor');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Stable over key order and over how a date arrived (Date or ISO text). */
export function filtersDigest(filters: TEventFilters): string {
  return createHash('sha256').update(canonicalJson(filters)).digest('base64url').slice(0, 22);
}

function bindingDigest({ tenantId, filters }: CursorBinding): string {
  return createHash('sha256').update(`${tenantId}\u0000${canonicalJson(filters)}`).digest('base64url').slice(0, 22);
}

function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, member]) => member !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
