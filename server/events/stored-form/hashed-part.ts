import { canonicalBytes } from './canonical-encoding';
import { HASHED_MEMBERS, type THashedPart, type TPersonalValue, type TSearchPart } from './stored-event.schema';

/**
 * A stored event (v2) as it comes from the driver: the hashed part's members at the top level (so
 * the indexes and filters read `actor.id`, `subject.id`, `occurredAt` as before), `_id` instead
 * of `id`, and the personal and search parts beside them.
 */
export type StoredEventV2 = Omit<THashedPart, 'id'> & {
  _id: { toHexString(): string };
  personal: TPersonalValue[];
  search: TSearchPart;
};

/** The hashed part of a stored event: exactly the members of HASHED_MEMBERS, plus the id as hex. */
export function hashedPartOf(stored: StoredEventV2): THashedPart {
  const hashed: Record<string, unknown> = { id: stored._id.toHexString() };
  for (const member of HASHED_MEMBERS) {
    const value = (stored as unknown as Record<string, unknown>)[member];
    if (value !== undefined) hashed[member] = value;
  }
  return hashed as THashedPart;
}

/** The exact bytes the integrity log hashes for one event: the canonical encoding of its hashed part. */
export function hashedPartBytes(stored: StoredEventV2): Buffer {
  return canonicalBytes(hashedPartOf(stored));
}
