import { z } from 'zod';

/** Lengths shared by every schema that carries people's names, ids and user agents. */
export const TEXT_LIMITS = {
  idLength: 128,
  nameLength: 300,
  userAgentLength: 1_024,
} as const;

/** Free text from users. MongoDB-protocol servers such as FerretDB refuse NUL in strings. */
export const boundedText = (max: number, min = 0) =>
  z
    .string()
    .min(min, { message: min === 1 ? 'must not be empty' : `must be at least ${min} characters` })
    .max(max, { message: `must be at most ${max} characters` })
    .transform((text) => text.replaceAll('\u0000', '\uFFFD'));

/** An id or a short code: trimmed, not empty, bounded. */
export const identifier = (max: number = TEXT_LIMITS.idLength) =>
  z.string().trim().min(1, { message: 'must not be empty' }).max(max, { message: `must be at most ${max} characters` });
