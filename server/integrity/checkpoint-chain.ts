import { z } from 'zod';
import { parseCheckpointNote, verifyCheckpoint, type TCheckpoint } from './checkpoint';
import { verifyConsistency } from './merkle';
import type { KnownKey } from './verifier-keys';

/**
 * A checkpoint chain: one JSON line per checkpoint of one tenant, oldest first, each after the first
 * with the consistency proof (RFC 9162 §2.1.4) from the one before it. What the file sink appends,
 * what the webhook delivers one entry at a time, and what `crm-audit-log verify --checkpoints` checks
 * with the public key alone. The note is the checkpoint as signed; its fields are read from it.
 */
const ZBase64Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, { message: 'a base64 SHA-256 hash' });

export const ZChainEntry = z
  .object({
    checkpoint: z.string().min(1).max(4_096),
    /** From the previous entry's tree to this one's; absent on the first entry. */
    consistency: z.object({ fromSize: z.number().int().min(0), proof: z.array(ZBase64Hash).max(128) }).strict().optional(),
  })
  .strict();
export type TChainEntry = z.infer<typeof ZChainEntry>;

export function chainEntry(checkpoint: Pick<TCheckpoint, 'note'>, consistency?: { fromSize: number; proof: readonly Uint8Array[] }): TChainEntry {
  const entry: TChainEntry = { checkpoint: checkpoint.note };
  if (consistency) entry.consistency = { fromSize: consistency.fromSize, proof: consistency.proof.map((hash) => Buffer.from(hash).toString('base64')) };
  return entry;
}

export type ChainFailureKind = 'malformed' | 'bad_signature' | 'other_tenant' | 'shrunk' | 'inconsistent';
export type ChainVerdict =
  | { ok: true; entries: number; tenantId: string | null; latest: { size: number; rootHash: string; time: Date } | null }
  | { ok: false; entry: number; kind: ChainFailureKind; detail: string };

const fail = (entry: number, kind: ChainFailureKind, detail: string): ChainVerdict => ({ ok: false, entry, kind, detail });

/**
 * Every entry's signature valid under `keys`, one tenant throughout, and each tree an append-only
 * extension of the one before (its proof verifies from exactly the previous size). The first entry
 * that breaks this is named by its 1-based line number.
 */
export function verifyCheckpointChain(entries: readonly unknown[], keys: readonly KnownKey[]): ChainVerdict {
  let previous: { size: number; rootHash: string; time: Date; tenantId: string } | null = null;
  for (const [index, raw] of entries.entries()) {
    const line = index + 1;
    const parsed = ZChainEntry.safeParse(raw);
    if (!parsed.success) return fail(line, 'malformed', parsed.error.issues.map((issue) => `${issue.path.join('.') || 'entry'}: ${issue.message}`).join('; '));
    const entry = parsed.data;
    const verdict = verifyCheckpoint(entry.checkpoint, keys);
    if (!verdict.ok) return fail(line, verdict.reason === 'malformed' ? 'malformed' : 'bad_signature', verdict.detail);
    const fields = verdict.fields;
    if (previous) {
      if (fields.tenantId !== previous.tenantId) return fail(line, 'other_tenant', `checkpoint of tenant ${fields.tenantId} in a chain of ${previous.tenantId}`);
      if (fields.size < previous.size) return fail(line, 'shrunk', `tree of ${fields.size} after one of ${previous.size}: the log lost its tail`);
      const proof = entry.consistency;
      if (!proof || proof.fromSize !== previous.size) return fail(line, 'inconsistent', `no consistency proof from the previous checkpoint (size ${previous.size})`);
      const hashes = proof.proof.map((hash) => Buffer.from(hash, 'base64'));
      if (!verifyConsistency(previous.size, fields.size, Buffer.from(previous.rootHash, 'base64'), Buffer.from(fields.rootHash, 'base64'), hashes)) {
        return fail(line, 'inconsistent', `tree ${fields.size} is not an append-only extension of tree ${previous.size} (${previous.rootHash}): the log was rewritten`);
      }
    }
    previous = { ...fields };
  }
  return { ok: true, entries: entries.length, tenantId: previous?.tenantId ?? null, latest: previous && { size: previous.size, rootHash: previous.rootHash, time: previous.time } };
}

/**
 * A chain file's lines as JSON values, one per line (so a failure names the file's line); a line
 * that is not JSON is returned as its text, which fails as malformed. A final newline ends the file.
 */
export function chainLines(text: string): unknown[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      return line;
    }
  });
}

/** The tree fields of a chain entry, without checking its signature (for a sink reading back its own last entry). */
export function entryFields(entry: TChainEntry) {
  return parseCheckpointNote(entry.checkpoint)?.fields ?? null;
}
