import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { chainLines, parsePublicKeyFile, verifyCheckpointChain, verifyExportFile, type LeafCodec } from '../server/integrity';

export const VERIFY_USAGE = `Offline verification (no database, no network; exit 0 verified, 1 not verified, 2 bad usage):
  crm-audit-log verify --public-key <key file> --export <file> --manifest <manifest file>
      an NDJSON, CSV or XLSX export against its signed manifest
  crm-audit-log verify --public-key <key file> --checkpoints <chain file>
      a checkpoint chain (a file sink's, or a tenant's own copy): every signature, every step append-only
  The key file holds verifier-key lines (<name>+<hash>+<key>) or the JSON of auditLog.integrity.publicKeys.`;

const ZVerifyArgs = z.union([
  z.object({ 'public-key': z.string().min(1), export: z.string().min(1), manifest: z.string().min(1) }).strict(),
  z.object({ 'public-key': z.string().min(1), checkpoints: z.string().min(1) }).strict(),
]);
type TVerifyArgs = z.infer<typeof ZVerifyArgs>;

export class VerifyUsageError extends Error {
  override name = 'VerifyUsageError';
}

export function parseVerifyArgs(args: string[]): TVerifyArgs {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args, options: { 'public-key': { type: 'string' }, export: { type: 'string' }, manifest: { type: 'string' }, checkpoints: { type: 'string' } }, strict: true }).values;
  } catch (error) {
    throw new VerifyUsageError((error as Error).message);
  }
  const parsed = ZVerifyArgs.safeParse(values);
  if (!parsed.success) throw new VerifyUsageError('expected --public-key with either --export and --manifest, or --checkpoints');
  return parsed.data;
}

export type VerifyOutcome = { verified: boolean; lines: string[] };

/** Runs one verification; what it prints is the outcome's lines. Throws VerifyUsageError or a file's read error. */
export async function verifyOffline(args: TVerifyArgs, codec: LeafCodec): Promise<VerifyOutcome> {
  const keys = parsePublicKeyFile(await readFile(args['public-key'], 'utf8'));
  if ('checkpoints' in args) {
    const verdict = verifyCheckpointChain(chainLines(await readFile(args.checkpoints, 'utf8')), keys);
    if (!verdict.ok) return { verified: false, lines: [`NOT VERIFIED ${args.checkpoints}`, `  line ${verdict.entry}: ${verdict.kind}: ${verdict.detail}`] };
    const latest = verdict.latest ? `, latest: ${verdict.latest.size} events, root ${verdict.latest.rootHash}, ${verdict.latest.time.toISOString()}` : '';
    return { verified: true, lines: [`VERIFIED ${args.checkpoints}: ${verdict.entries} checkpoints of tenant ${verdict.tenantId ?? '(none)'}, each append-only${latest}`] };
  }
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(await readFile(args.manifest, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) return { verified: false, lines: [`NOT VERIFIED ${args.export}`, `  manifest: not JSON`] };
    throw error;
  }
  const verdict = await verifyExportFile(createReadStream(args.export), manifestJson, keys, codec);
  if (!verdict.ok) return { verified: false, lines: [`NOT VERIFIED ${args.export}`, ...verdict.problems.map((problem) => `  ${problem}`)] };
  const { manifest, checkpoint } = verdict;
  const range = manifest.positions ? `positions ${manifest.positions.first}–${manifest.positions.last}` : 'no events';
  return {
    verified: true,
    lines: [
      `VERIFIED ${args.export}: ${manifest.format.toUpperCase()}, ${manifest.file.rows} rows, SHA-256 ${manifest.file.sha256}`,
      `  tenant ${manifest.tenantId}, export ${manifest.exportId}, events received up to ${manifest.requestedAt}, ${range}`,
      `  in checkpoint ${checkpoint.size} (root ${checkpoint.rootHash}, ${checkpoint.time.toISOString()}), signed by ${verdict.keyId}`,
      manifest.proofs === 'per_line' ? `  ${verdict.linesVerified} lines, each recomputed and proven in that tree` : '  bound to the log by the signed manifest (file hash)',
    ],
  };
}

/** `crm-audit-log verify …`: prints the outcome, sets the exit code. */
export async function runVerifyCommand(args: string[], codec: LeafCodec): Promise<void> {
  try {
    const outcome = await verifyOffline(parseVerifyArgs(args), codec);
    process.stdout.write(`${outcome.lines.join('\n')}\n`);
    process.exitCode = outcome.verified ? 0 : 1;
  } catch (error) {
    const usage = error instanceof VerifyUsageError;
    process.stderr.write(`crm-audit-log verify: ${(error as Error).message}\n${usage ? `\n${VERIFY_USAGE}\n` : ''}`);
    process.exitCode = usage ? 2 : 1;
  }
}
