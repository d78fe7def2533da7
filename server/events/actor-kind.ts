import { z } from 'zod';

/**
 * What an actor of the user menu is: a person, an API key, the system, or an identity someone
 * tried to sign in as (a failed sign-in's attempt, not a user). Pure, from the stored actor type.
 */
export const ZActorKind = z.enum(['person', 'api_key', 'system', 'attempted']);
export type TActorKind = z.infer<typeof ZActorKind>;

/** Failed sign-ins of an unknown identity were stored as user `unknown:<identity>` before actors had their own type for it. */
const LEGACY_ATTEMPT_PREFIX = 'unknown:';

export function actorKindOf(type: string | null | undefined, id: string): TActorKind {
  if (type === 'api_key') return 'api_key';
  if (type === 'system') return 'system';
  // A stored type this code does not know (an attempt's own type) is not a user either.
  if ((type === 'user' || type == null) && !id.startsWith(LEGACY_ATTEMPT_PREFIX)) return 'person';
  return 'attempted';
}
