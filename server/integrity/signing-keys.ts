import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/**
 * Ed25519 keys in the text forms of Go's signed notes (golang.org/x/mod/sumdb/note, C2SP signed-note),
 * so a checkpoint can be checked with off-the-shelf tools:
 *   verifier key  <name>+<key hash, 8 hex>+<base64(0x01 || 32-byte public key)>
 *   signer key    PRIVATE+KEY+<name>+<key hash, 8 hex>+<base64(0x01 || 32-byte seed)>
 * where key hash = the first 4 bytes of SHA-256(name || "\n" || 0x01 || public key). The key id we
 * show and store is `<name>+<key hash>`. The signer key comes from configuration or a key file,
 * never from the database.
 */
const ED25519_ALGORITHM = 0x01;
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const KEY_NAME = /^[^\s+\u2014]+$/;

export type SigningKey = { keyId: string; name: string; keyHash: number; privateKey: KeyObject; publicKey: Buffer };
export type VerifierKey = { keyId: string; name: string; keyHash: number; publicKey: Buffer };

export class SigningKeyFormatError extends Error {
  override name = 'SigningKeyFormatError';
}

export function keyHashOf(name: string, publicKey: Buffer): number {
  const digest = createHash('sha256').update(name).update('\n').update(Buffer.from([ED25519_ALGORITHM])).update(publicKey).digest();
  return digest.readUInt32BE(0);
}

const hex8 = (keyHash: number) => keyHash.toString(16).padStart(8, '0');
const keyIdOf = (name: string, keyHash: number) => `${name}+${hex8(keyHash)}`;

function publicKeyOf(privateKey: KeyObject): Buffer {
  return Buffer.from(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length));
}

function typedKey(encoded: string, what: string): Buffer {
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length !== 33 || bytes[0] !== ED25519_ALGORITHM || bytes.toString('base64') !== encoded) {
    throw new SigningKeyFormatError(`${what}: expected base64 of 0x01 followed by 32 key bytes`);
  }
  return bytes.subarray(1);
}

function checkedName(name: string | undefined, what: string): string {
  if (!name || !KEY_NAME.test(name)) throw new SigningKeyFormatError(`${what}: the key name must be non-empty, without spaces or "+"`);
  return name;
}

/** A new key pair; `name` should say which log and when, e.g. `audit.example.com-2026`. */
export function generateSigningKey(name: string): { signerKey: string; verifierKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return signingKeyFromSeed(name, privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length));
}

/** The text forms of the key pair with this 32-byte seed (deterministic: the docs' test vectors use it). */
export function signingKeyFromSeed(name: string, seed: Buffer): { signerKey: string; verifierKey: string } {
  checkedName(name, 'signing key');
  if (seed.length !== 32) throw new SigningKeyFormatError('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = publicKeyOf(privateKey);
  const keyHash = keyHashOf(name, publicKey);
  const tail = (bytes: Buffer) => Buffer.concat([Buffer.from([ED25519_ALGORITHM]), bytes]).toString('base64');
  return { signerKey: `PRIVATE+KEY+${name}+${hex8(keyHash)}+${tail(seed)}`, verifierKey: `${name}+${hex8(keyHash)}+${tail(publicKey)}` };
}

/** Splits at the first `count - 1` plus signs: base64 may hold "+" itself (Go's note package does the same). */
function splitKey(text: string, count: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (parts.length < count - 1) {
    const at = rest.indexOf('+');
    if (at < 0) break;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  return [...parts, rest];
}

export function parseSignerKey(text: string): SigningKey {
  const parts = splitKey(text, 5);
  if (parts.length !== 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw new SigningKeyFormatError('signer key: expected PRIVATE+KEY+<name>+<hash>+<key>');
  const name = checkedName(parts[2], 'signer key');
  const seed = typedKey(parts[4]!, 'signer key');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = publicKeyOf(privateKey);
  const keyHash = keyHashOf(name, publicKey);
  if (hex8(keyHash) !== parts[3]) throw new SigningKeyFormatError(`signer key: its hash ${parts[3]} does not match the key (${hex8(keyHash)})`);
  return { keyId: keyIdOf(name, keyHash), name, keyHash, privateKey, publicKey };
}

export function parseVerifierKey(text: string): VerifierKey {
  const parts = splitKey(text, 3);
  if (parts.length !== 3) throw new SigningKeyFormatError('verifier key: expected <name>+<hash>+<key>');
  const name = checkedName(parts[0], 'verifier key');
  const publicKey = typedKey(parts[2]!, 'verifier key');
  const keyHash = keyHashOf(name, publicKey);
  if (hex8(keyHash) !== parts[1]) throw new SigningKeyFormatError(`verifier key: its hash ${parts[1]} does not match the key (${hex8(keyHash)})`);
  return { keyId: keyIdOf(name, keyHash), name, keyHash, publicKey };
}

export function verifierKeyText(key: Pick<VerifierKey, 'name' | 'keyHash' | 'publicKey'>): string {
  return `${key.name}+${hex8(key.keyHash)}+${Buffer.concat([Buffer.from([ED25519_ALGORITHM]), key.publicKey]).toString('base64')}`;
}

export function signBytes(key: SigningKey, message: Uint8Array): Buffer {
  return sign(null, message, key.privateKey);
}

export function verifyBytes(publicKey: Buffer, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  const keyObject = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
  return verify(null, message, keyObject, signature);
}

/**
 * A public key as served and configured: the verifier key plus the window in which checkpoints it
 * signed are accepted. Rotation = a new signer key, and the old verifier key kept with a `validUntil`.
 */
export const ZPublicKey = z.object({
  keyId: z.string(),
  verifierKey: z.string(),
  algorithm: z.literal('ed25519'),
  validFrom: z.coerce.date(),
  validUntil: z.coerce.date().nullable(),
});
export type TPublicKey = z.infer<typeof ZPublicKey>;

export const ZPublicKeyConfig = z.object({
  verifierKey: z.string().min(1),
  validFrom: z.coerce.date().default(new Date(0)),
  validUntil: z.coerce.date().nullable().default(null),
});
export type TPublicKeyConfig = z.input<typeof ZPublicKeyConfig>;

export function publicKeyFrom(config: TPublicKeyConfig): TPublicKey & { key: VerifierKey } {
  const parsed = ZPublicKeyConfig.parse(config);
  const key = parseVerifierKey(parsed.verifierKey);
  return { keyId: key.keyId, verifierKey: verifierKeyText(key), algorithm: 'ed25519', validFrom: parsed.validFrom, validUntil: parsed.validUntil, key };
}
