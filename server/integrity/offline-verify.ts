import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { verifyCheckpoint } from './checkpoint';
import { EMPTY_TREE_HASH } from './merkle';
import { verifyExportLine, type LeafCodec } from './export-lines';
import { openExportManifest, type TExportManifest } from './export-manifest';
import type { KnownKey } from './verifier-keys';

/**
 * The offline check of an export file and its manifest, with the public keys alone: the manifest's
 * signature, the checkpoint's signature, the file's size and SHA-256, and for NDJSON every line
 * against the checkpoint's tree (its leaf recomputed, its inclusion proof, the positions the
 * manifest names, each once). Streams the file: memory stays flat but for the set of positions.
 */
export type ExportVerdict =
  | { ok: true; manifest: TExportManifest; keyId: string; checkpoint: { size: number; rootHash: string; time: Date }; linesVerified: number }
  | { ok: false; problems: string[] };

/** A manifest of an export made while the tenant's log was still empty names no checkpoint. */
const EMPTY_LOG = { ok: true as const, keyId: '', fields: { tenantId: '', size: 0, rootHash: EMPTY_TREE_HASH.toString('base64'), time: new Date(0) } };

/** A report stops listing line failures after this many (the first is the one that matters). */
const MAX_LINE_PROBLEMS = 20;

export async function verifyExportFile(file: Readable, manifestJson: unknown, keys: readonly KnownKey[], codec: LeafCodec): Promise<ExportVerdict> {
  const opened = openExportManifest(manifestJson, keys);
  if (!opened.ok) return { ok: false, problems: [`manifest: ${opened.reason}`] };
  const { manifest } = opened;
  if (manifest.checkpoint === null && (manifest.positions !== null || manifest.file.rows !== 0)) return { ok: false, problems: ['manifest: rows without a checkpoint'] };
  const checkpoint = manifest.checkpoint === null ? EMPTY_LOG : verifyCheckpoint(manifest.checkpoint, keys);
  if (!checkpoint.ok) return { ok: false, problems: [`manifest's checkpoint: ${checkpoint.detail}`] };
  const problems: string[] = [];
  const fields = checkpoint.fields;
  if (manifest.checkpoint !== null && fields.tenantId !== manifest.tenantId) problems.push(`the checkpoint is tenant ${fields.tenantId}'s, the manifest tenant ${manifest.tenantId}'s`);
  if (manifest.positions && manifest.positions.last >= fields.size) problems.push(`the manifest's last position ${manifest.positions.last} is outside the checkpoint's tree of ${fields.size}`);

  const tree = { size: fields.size, root: Buffer.from(fields.rootHash, 'base64') };
  const lines = manifest.format === 'ndjson' ? lineChecker(manifest, tree, codec) : null;
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of file as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    lines?.push(chunk);
  }
  const sha256 = hash.digest('hex');
  if (bytes !== manifest.file.bytes) problems.push(`file: ${bytes} bytes, the manifest says ${manifest.file.bytes}`);
  if (sha256 !== manifest.file.sha256) problems.push(`file: SHA-256 ${sha256}, the manifest says ${manifest.file.sha256}: the file is not the one that was signed`);
  if (lines) problems.push(...lines.finish());
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, manifest, keyId: opened.keyId, checkpoint: { size: fields.size, rootHash: fields.rootHash, time: fields.time }, linesVerified: lines?.verified() ?? 0 };
}

/** Splits NDJSON on newline bytes (never inside a UTF-8 sequence) and checks each line as it completes. */
function lineChecker(manifest: TExportManifest, tree: { size: number; root: Buffer }, codec: LeafCodec) {
  const problems: string[] = [];
  const seen = new Set<number>();
  let pending = Buffer.alloc(0);
  let lineNumber = 0;
  let failures = 0;
  const check = (raw: Buffer) => {
    lineNumber++;
    const verdict = verifyExportLine(raw.toString('utf8'), tree, codec);
    let problem = verdict.ok ? null : verdict.reason;
    if (verdict.ok) {
      const { positions } = manifest;
      if (seen.has(verdict.position)) problem = `position ${verdict.position} appears twice`;
      else if (!positions || verdict.position < positions.first || verdict.position > positions.last) problem = `position ${verdict.position} is outside the manifest's range`;
      seen.add(verdict.position);
    }
    if (problem && ++failures <= MAX_LINE_PROBLEMS) problems.push(`line ${lineNumber}: ${problem}`);
  };
  return {
    push(chunk: Buffer) {
      let data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      let newline = data.indexOf(0x0a);
      while (newline >= 0) {
        check(data.subarray(0, newline));
        data = data.subarray(newline + 1);
        newline = data.indexOf(0x0a);
      }
      pending = Buffer.from(data);
    },
    finish(): string[] {
      if (pending.length > 0) check(pending);
      if (failures > MAX_LINE_PROBLEMS) problems.push(`… and ${failures - MAX_LINE_PROBLEMS} more lines that do not verify`);
      if (lineNumber !== manifest.file.rows) problems.push(`file: ${lineNumber} lines, the manifest says ${manifest.file.rows} rows`);
      // Only meaningful when every line verified (a failed line's position is not counted).
      if (failures === 0 && seen.size !== (manifest.positions?.count ?? 0)) problems.push(`file: ${seen.size} distinct positions, the manifest says ${manifest.positions?.count ?? 0}`);
      return problems;
    },
    verified: () => lineNumber - failures,
  };
}
