import { z } from 'zod';
import { leafHash, verifyInclusion } from './merkle';

/**
 * One line of an NDJSON export: an event's log position, its hashed part (the leaf, as the stored
 * form defines it), what is needed to check the personal values beside it, and its inclusion proof
 * (RFC 9162 §2.1.3) in the tree of the manifest's checkpoint. Each line checks on its own.
 */
const ZBase64Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, { message: 'a base64 SHA-256 hash' });

export const ZExportLine = z
  .object({
    position: z.number().int().min(0),
    leaf: z.record(z.string(), z.unknown()),
    /** Personal values and their salts, where not erased (checked against the leaf's commitments). */
    values: z.unknown().optional(),
    proof: z.array(ZBase64Hash).max(64),
  })
  .strict();
export type TExportLine = z.infer<typeof ZExportLine>;

/** How a leaf becomes the bytes that were hashed, and how values are checked against it: the stored form's. */
export interface LeafCodec {
  bytes(leaf: Record<string, unknown>): Buffer;
  /** Why `values` do not match the leaf's commitments, or null when they do (or there are none). */
  checkValues?(leaf: Record<string, unknown>, values: unknown): string | null;
}

export function exportLine(position: number, leaf: Record<string, unknown>, proof: readonly Uint8Array[], values?: unknown): string {
  const line: TExportLine = { position, leaf, proof: proof.map((hash) => Buffer.from(hash).toString('base64')) };
  if (values !== undefined) line.values = values;
  return JSON.stringify(line);
}

export type LineVerdict = { ok: true; position: number } | { ok: false; reason: string };

/** One line against the checkpoint's tree: well formed, inside the tree, its values and its proof. */
export function verifyExportLine(text: string, tree: { size: number; root: Buffer }, codec: LeafCodec): LineVerdict {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = ZExportLine.safeParse(json);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'line'}: ${issue.message}`).join('; ') };
  const line = parsed.data;
  if (line.position >= tree.size) return { ok: false, reason: `position ${line.position} is outside the checkpoint's tree of ${tree.size}` };
  const valuesProblem = line.values === undefined ? null : (codec.checkValues?.(line.leaf, line.values) ?? null);
  if (valuesProblem) return { ok: false, reason: `position ${line.position}: ${valuesProblem}` };
  let bytes: Buffer;
  try {
    bytes = codec.bytes(line.leaf);
  } catch (error) {
    return { ok: false, reason: `position ${line.position}: the leaf is not an event's hashed part (${(error as Error).message})` };
  }
  const proof = line.proof.map((hash) => Buffer.from(hash, 'base64'));
  if (!verifyInclusion(leafHash(bytes), line.position, tree.size, proof, tree.root)) {
    return { ok: false, reason: `position ${line.position}: the event is not the one the checkpoint's tree holds there (inclusion proof fails)` };
  }
  return { ok: true, position: line.position };
}
