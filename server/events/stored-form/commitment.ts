import { createHmac, hash, randomFillSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { canonicalBytes } from './canonical-encoding';

/**
 * Salted commitments: what the hashed part of an event holds instead of a personal value.
 * commitment = HMAC-SHA256(key = a random 32-byte salt of this one value, message = the value's
 * canonical encoding), written base64url (43 characters). The value and its salt are kept beside
 * the hashed part; erasure deletes both and the commitment stays: the hash of the event still
 * verifies, and without the salt the value cannot be guessed back (not even a short one such as a
 * first name: 2^256 salts to try for each guess).
 */
export const SALT_BYTES = 32;

export const ZCommitment = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { message: 'a base64url HMAC-SHA256 commitment' });
export const ZSalt = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { message: 'a base64url 32-byte salt' });
export type TCommitment = z.infer<typeof ZCommitment>;

// One getrandom call per 256 salts: record() makes a few per event, and randomBytes(32) each time
// was most of the cost of a commitment.
const POOL_SALTS = 256;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** A fresh random salt, base64url. */
export function newSalt(): string {
  if (poolOffset + SALT_BYTES > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(SALT_BYTES * POOL_SALTS));
    poolOffset = 0;
  }
  const salt = pool.toString('base64url', poolOffset, poolOffset + SALT_BYTES);
  // Used salt bytes are overwritten so that no copy of an erased value's salt stays in the pool.
  zero(pool, poolOffset, poolOffset + SALT_BYTES);
  poolOffset += SALT_BYTES;
  return salt;
}

export function commit(value: unknown, salt: string): TCommitment {
  return createHmac('sha256', saltBytes(salt)).update(canonicalBytes(value)).digest('base64url');
}

/**
 * `commit` for a value already in canonical form (canonicalJson's output): the encoder has it at
 * hand. HMAC (RFC 2104) written out over one-shot `crypto.hash`: a `createHmac` object per value
 * was the largest item of record()'s profile (2.8 s of 9 s encoding 20,000 events). The pads are
 * written into two scratch buffers (zeroed after each use, like the salt pool) and the inner digest
 * passes as a binary (latin1) string: a fresh Buffer per value and `hash(…, 'buffer')` were half of its cost
 * (1.8 → 0.95 µs per value). The unit tests check it against createHmac and openssl.
 */
export function commitCanonical(canonical: string, salt: string): TCommitment {
  if (scratchKey.write(salt, 0, 'base64url') !== SALT_BYTES || salt.length !== 43) throw new Error(`a salt is ${SALT_BYTES} bytes, got ${Buffer.from(salt, 'base64url').length}`);
  const length = 64 + Buffer.byteLength(canonical, 'utf8');
  if (length > scratchInner.length) scratchInner = Buffer.alloc(Math.max(length, 2 * scratchInner.length));
  const inner = scratchInner;
  for (let index = 0; index < SALT_BYTES; index++) {
    inner[index] = scratchKey[index]! ^ 0x36;
    scratchOuter[index] = scratchKey[index]! ^ 0x5c;
  }
  fill(inner, 0x36, SALT_BYTES, 64);
  fill(scratchOuter, 0x5c, SALT_BYTES, 64);
  inner.write(canonical, 64, 'utf8');
  scratchOuter.write(hash('sha256', inner.subarray(0, length), 'binary') as string, 64, 'binary');
  const commitment = hash('sha256', scratchOuter, 'base64url') as string;
  // No copy of a salt (or a value) stays in memory beyond its event's own stored form.
  zero(scratchKey, 0, scratchKey.length);
  zero(inner, 0, length);
  zero(scratchOuter, 0, 64);
  return commitment;
}

/**
 * The typed array's own fill, not Buffer's: Buffer#fill validates its arguments and calls into
 * C++ each time, and six fills per value were 5 % of encoding an event (issue 17). Same bytes.
 */
const typedArrayFill = Uint8Array.prototype.fill;
const fill = (bytes: Buffer, value: number, start: number, end: number): void => void typedArrayFill.call(bytes, value, start, end);
const zero = (bytes: Buffer, start: number, end: number): void => fill(bytes, 0, start, end);

const scratchKey = Buffer.alloc(SALT_BYTES + 3);
const scratchOuter = Buffer.alloc(64 + 32);
let scratchInner = Buffer.alloc(1024);

export type CommitmentCheck = 'verified' | 'mismatch' | 'erased';

/**
 * With the opening (value and salt): whether it is the value the commitment was made for. Without
 * it (erased): 'erased' when the commitment is well formed, so a verifier can tell an erased
 * value from a damaged one; a malformed commitment is a 'mismatch'.
 */
export function verifyCommitment(commitment: string, opening?: { value: unknown; salt: string }): CommitmentCheck {
  if (!ZCommitment.safeParse(commitment).success) return 'mismatch';
  if (!opening) return 'erased';
  if (!ZSalt.safeParse(opening.salt).success) return 'mismatch';
  const expected = Buffer.from(commitment, 'base64url');
  const actual = createHmac('sha256', saltBytes(opening.salt)).update(canonicalBytes(opening.value)).digest();
  return timingSafeEqual(expected, actual) ? 'verified' : 'mismatch';
}

function saltBytes(salt: string): Buffer {
  const bytes = Buffer.from(salt, 'base64url');
  if (bytes.length !== SALT_BYTES) throw new Error(`a salt is ${SALT_BYTES} bytes, got ${bytes.length}`);
  return bytes;
}
