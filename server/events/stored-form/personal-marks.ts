import { z } from 'zod';

/**
 * How an action's metadata schema marks a member personal: `personal(z.string(), 'identity')`.
 * - 'identity': an identity such as an e-mail address or sign-in name (matched by erase(…, identities));
 * - 'actor': about the actor of the event; 'subject': about the event's subject record.
 */
export const ZPersonalKind = z.enum(['identity', 'actor', 'subject']);
export type TPersonalKind = z.infer<typeof ZPersonalKind>;

export const personalRegistry = z.registry<{ personal: TPersonalKind }>();

/** Marks a metadata member personal (its value goes to the personal part; the hashed part keeps a commitment). */
export function personal<T extends z.ZodType>(schema: T, kind: TPersonalKind): T {
  personalRegistry.add(schema, { personal: kind });
  return schema;
}

export interface PersonalMetadataMark {
  key: string;
  kind: TPersonalKind;
}

const marksCache = new WeakMap<z.ZodType, PersonalMetadataMark[]>();

/** The members of a metadata schema (a z.object, possibly wrapped) that are marked personal. */
export function personalMetadataOf(schema: z.ZodType): PersonalMetadataMark[] {
  const cached = marksCache.get(schema);
  if (cached) return cached;
  const marks: PersonalMetadataMark[] = [];
  const object = unwrapObject(schema);
  if (object) {
    for (const [key, member] of Object.entries(object.shape as Record<string, z.ZodType>)) {
      const mark = personalRegistry.get(member) ?? personalRegistry.get(unwrapOptional(member));
      if (mark) marks.push({ key, kind: mark.personal });
    }
  }
  marksCache.set(schema, marks);
  return marks;
}

function unwrapObject(schema: z.ZodType): z.ZodObject | undefined {
  if (schema instanceof z.ZodObject) return schema;
  if (schema instanceof z.ZodPipe) return unwrapObject(schema.in as z.ZodType);
  return undefined;
}

function unwrapOptional(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional || schema instanceof z.ZodNullable ? unwrapOptional(schema.unwrap() as z.ZodType) : schema;
}
