import { createHash } from 'node:crypto';
import { isObjectIdHex } from '../common/object-id';
import { signedTokens } from '../common/signed-tokens';
import { AuditLogError } from '../errors';
import type { TEventFilters } from './event-filters.schema';
import type { EventPosition } from './event-query';
import { canonicalJson } from './stored-form/canonical-encoding';

/**
 * Pure: the opaque page cursor. `v1.<payload>.<mac>`, both base64url; the payload holds the last
 * event's (occurredAt, id) and a digest of the tenant and filters, the mac is HMAC-SHA256 over
 * both. A cursor from another tenant, other filters or another key, or an edited one, is refused.
 */
export class InvalidCursorError extends AuditLogError {
  constructor(reason: string) {
    super('INVALID_CURSOR', `cursor: ${reason}`);
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
  const tokens = signedTokens(secret, { label: VERSION, version: VERSION });

  return {
    encode(position: EventPosition, binding: CursorBinding): string {
      return tokens.seal({ t: position.occurredAt.getTime(), i: position.id, b: bindingDigest(binding) });
    },

    decode(cursor: string, binding: CursorBinding): EventPosition {
      const parsed = positionIn(tokens.open(cursor));
      if (parsed.b !== bindingDigest(binding)) throw new InvalidCursorError('belongs to a different search; start again from the first page');
      return { occurredAt: new Date(parsed.t), id: parsed.i };
    },
  };
}

export type CursorCodec = ReturnType<typeof createCursorCodec>;

/** A signed but unreadable payload means the key leaked or the format changed: refused like a forgery. */
function positionIn(payload: unknown): { t: number; i: string; b: string } {
  const { t, i, b } = (payload ?? {}) as Record<string, unknown>;
  if (typeof t === 'number' && Number.isFinite(t) && typeof i === 'string' && isObjectIdHex(i) && typeof b === 'string') return { t, i, b };
  throw new InvalidCursorError('is not a valid cursor');
}

/** Stable over key order and over how a date arrived (Date or ISO text). */
export function filtersDigest(filters: TEventFilters): string {
  return createHash('sha256').update(canonicalJson(filters)).digest('base64url').slice(0, 22);
}

function bindingDigest({ tenantId, filters }: CursorBinding): string {
  return createHash('sha256').update(`${tenantId}\u0000${canonicalJson(filters)}`).digest('base64url').slice(0, 22);
}
