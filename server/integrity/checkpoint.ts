import { z } from 'zod';
import { HASH_BYTES } from './merkle';
import { signBytes, verifyBytes, type SigningKey, type TPublicKey, type VerifierKey } from './signing-keys';

/**
 * A checkpoint: one tenant's tree head, signed. Its canonical bytes are a C2SP tlog-checkpoint body
 *   <origin>\n<tree size, decimal>\n<root hash, base64>\ntime <ISO 8601, ms, UTC>\n
 * with origin `<log name>/<tenant id, percent-encoded>`, and it is carried as a C2SP signed note: the
 * body, a blank line, and one line per signature `— <key name> <base64(key hash, 4 bytes BE || Ed25519
 * signature over the body)>`. Go's note.Open and Tessera's verifiers read the same text.
 */
export const DEFAULT_LOG_NAME = 'crm-audit-log';
const SIGNATURE_LINE = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/;

export const ZCheckpoint = z.object({
  tenantId: z.string(),
  size: z.number().int().min(0),
  rootHash: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, { message: 'a base64 SHA-256 hash' }),
  time: z.coerce.date(),
  keyId: z.string(),
  /** The signed note, exactly as signed: what a verifier checks and a tenant keeps. */
  note: z.string(),
});
export type TCheckpoint = z.infer<typeof ZCheckpoint>;
export type CheckpointFields = Pick<TCheckpoint, 'tenantId' | 'size' | 'rootHash' | 'time'>;

export function checkpointOrigin(tenantId: string, logName = DEFAULT_LOG_NAME): string {
  return `${logName}/${encodeURIComponent(tenantId)}`;
}

export function checkpointBody(fields: CheckpointFields, logName = DEFAULT_LOG_NAME): string {
  return `${checkpointOrigin(fields.tenantId, logName)}\n${fields.size}\n${fields.rootHash}\ntime ${fields.time.toISOString()}\n`;
}

export function signCheckpoint(fields: CheckpointFields, key: SigningKey, logName = DEFAULT_LOG_NAME): TCheckpoint {
  const body = checkpointBody(fields, logName);
  const signature = signBytes(key, Buffer.from(body, 'utf8'));
  const keyHash = Buffer.alloc(4);
  keyHash.writeUInt32BE(key.keyHash);
  const note = `${body}\n\u2014 ${key.name} ${Buffer.concat([keyHash, signature]).toString('base64')}\n`;
  return { ...fields, keyId: key.keyId, note };
}

type ParsedNote = { body: string; fields: CheckpointFields; logName: string; signatures: { name: string; keyHash: number; signature: Buffer }[] };

/** The note's text back into fields; null when it is not a well-formed checkpoint note. */
export function parseCheckpointNote(note: string): ParsedNote | null {
  const split = note.indexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return null;
  const body = note.slice(0, split + 1);
  const lines = body.slice(0, -1).split('\n');
  if (lines.length !== 4) return null;
  const [origin, sizeText, rootHash, timeLine] = lines as [string, string, string, string];
  const slash = origin.lastIndexOf('/');
  if (slash <= 0 || !/^(0|[1-9][0-9]*)$/.test(sizeText) || !timeLine.startsWith('time ')) return null;
  const size = Number(sizeText);
  const time = new Date(timeLine.slice('time '.length));
  if (!Number.isSafeInteger(size) || Number.isNaN(time.getTime()) || time.toISOString() !== timeLine.slice(5)) return null;
  if (Buffer.from(rootHash, 'base64').length !== HASH_BYTES || Buffer.from(rootHash, 'base64').toString('base64') !== rootHash) return null;
  let tenantId: string;
  try {
    tenantId = decodeURIComponent(origin.slice(slash + 1));
  } catch {
    return null;
  }
  if (encodeURIComponent(tenantId) !== origin.slice(slash + 1)) return null;
  const signatures: ParsedNote['signatures'] = [];
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const match = SIGNATURE_LINE.exec(line);
    const bytes = match ? Buffer.from(match[2]!, 'base64') : null;
    if (!match || !bytes || bytes.length < 5) return null;
    signatures.push({ name: match[1]!, keyHash: bytes.readUInt32BE(0), signature: bytes.subarray(4) });
  }
  if (signatures.length === 0) return null;
  return { body, fields: { tenantId, size, rootHash, time }, logName: origin.slice(0, slash), signatures };
}

export type CheckpointVerdict =
  | { ok: true; fields: CheckpointFields; keyId: string }
  | { ok: false; reason: 'malformed' | 'unknown_key' | 'key_not_valid_then' | 'bad_signature' | 'fields_differ'; detail: string };

type KnownKey = Pick<TPublicKey, 'keyId' | 'validFrom' | 'validUntil'> & { key: VerifierKey };

/**
 * Verifies a checkpoint's note against the known public keys: the key is picked by name and key hash
 * (so rotation is several keys side by side), must have been valid at the checkpoint's time, and the
 * stored fields (if given) must be the ones signed.
 */
export function verifyCheckpoint(note: string, keys: readonly KnownKey[], stored?: Partial<TCheckpoint>): CheckpointVerdict {
  const parsed = parseCheckpointNote(note);
  if (!parsed) return { ok: false, reason: 'malformed', detail: 'not a checkpoint note' };
  const { fields } = parsed;
  if (stored) {
    const differs = (['tenantId', 'size', 'rootHash'] as const).find((name) => stored[name] !== undefined && stored[name] !== fields[name]);
    if (differs || (stored.time && stored.time.getTime() !== fields.time.getTime())) {
      return { ok: false, reason: 'fields_differ', detail: `the stored ${differs ?? 'time'} is not the one signed` };
    }
  }
  let lastFailure: CheckpointVerdict | null = null;
  for (const signature of parsed.signatures) {
    const known = keys.find((candidate) => candidate.key.name === signature.name && candidate.key.keyHash === signature.keyHash);
    if (!known) {
      lastFailure ??= { ok: false, reason: 'unknown_key', detail: `no public key ${signature.name}+${signature.keyHash.toString(16).padStart(8, '0')}` };
      continue;
    }
    if (!verifyBytes(known.key.publicKey, Buffer.from(parsed.body, 'utf8'), signature.signature)) {
      lastFailure = { ok: false, reason: 'bad_signature', detail: `the signature by ${known.keyId} does not match the checkpoint` };
      continue;
    }
    if (fields.time < known.validFrom || (known.validUntil && fields.time > known.validUntil)) {
      lastFailure = { ok: false, reason: 'key_not_valid_then', detail: `${known.keyId} was not valid at ${fields.time.toISOString()}` };
      continue;
    }
    return { ok: true, fields, keyId: known.keyId };
  }
  return lastFailure ?? { ok: false, reason: 'malformed', detail: 'no signature' };
}
