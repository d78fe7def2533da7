import { z } from 'zod';
import { publicKeyFrom, verifyBytes, ZPublicKeyConfig, type TPublicKey, type VerifierKey } from './signing-keys';

/**
 * The public keys an offline verifier is given, from one file: either verifier-key lines
 * (`<name>+<hash>+<key>`, as `crm-audit-log` prints them and Go's note package reads them; valid at
 * any time) or the JSON the API serves (`auditLog.integrity.publicKeys`: one key or a list, each with
 * its validity window, so checkpoints of a rotated-out key are accepted only from their own time).
 */
export type KnownKey = Pick<TPublicKey, 'keyId' | 'validFrom' | 'validUntil'> & { key: VerifierKey };

const ZKeyList = z.union([ZPublicKeyConfig, z.array(ZPublicKeyConfig).min(1), z.object({ keys: z.array(ZPublicKeyConfig).min(1) })]);

export class PublicKeyFileError extends Error {
  override name = 'PublicKeyFileError';
}

export function parsePublicKeyFile(text: string): KnownKey[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new PublicKeyFileError('the public key file is empty');
  let configs: z.input<typeof ZPublicKeyConfig>[];
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw new PublicKeyFileError('the public key file is neither JSON nor verifier-key lines');
    }
    const parsed = ZKeyList.safeParse(json);
    if (!parsed.success) throw new PublicKeyFileError(`the public key file: ${parsed.error.issues[0]?.message ?? 'not a key list'}`);
    configs = Array.isArray(parsed.data) ? parsed.data : 'keys' in parsed.data ? parsed.data.keys : [parsed.data];
  } else {
    configs = trimmed.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.startsWith('#')).map((line) => ({ verifierKey: line.trim() }));
  }
  try {
    return configs.map((config) => {
      const { keyId, validFrom, validUntil, key } = publicKeyFrom(config);
      return { keyId, validFrom, validUntil, key };
    });
  } catch (error) {
    throw new PublicKeyFileError(`the public key file: ${(error as Error).message}`);
  }
}

/** For signed envelopes (manifests): does the signature by `keyId` verify under the key the file names? */
export function keyVerifier(keys: readonly KnownKey[]) {
  return (keyId: string, message: Buffer, signature: Buffer): boolean | 'unknown key' => {
    const known = keys.find((candidate) => candidate.keyId === keyId);
    return known ? verifyBytes(known.key.publicKey, message, signature) : 'unknown key';
  };
}

/** Was `keyId` valid at `at` (its window in the key file)? */
export function keyValidAt(keys: readonly KnownKey[], keyId: string, at: Date): boolean {
  const known = keys.find((candidate) => candidate.keyId === keyId);
  return Boolean(known && at >= known.validFrom && (!known.validUntil || at <= known.validUntil));
}
