import { z } from 'zod';
import { signBytes, type SigningKey } from './signing-keys';
import { openEnvelope, signEnvelope, ZSignedEnvelope, type EnvelopeSigner, type TSignedEnvelope } from './signed-envelope';
import { keyValidAt, keyVerifier, type KnownKey } from './verifier-keys';

/**
 * What an export file is, signed by the log's key: the file (name, size, SHA-256, rows), whose log
 * and which part of it (tenant, filter, the moment it covers, the range of log positions of its
 * events), and the checkpoint those events are in (its signed note, so the file is tied to a tree
 * head anyone can compare with a published one). NDJSON lines carry their own inclusion proofs in
 * that checkpoint's tree (export-lines.ts); CSV and XLSX files are bound by their hash.
 */
export const EXPORT_MANIFEST_TYPE = 'application/vnd.crm-audit-log.export-manifest+json';

const ZSha256Hex = z.string().regex(/^[0-9a-f]{64}$/, { message: 'a hex SHA-256' });

export const ZExportManifest = z
  .object({
    version: z.literal(1),
    exportId: z.string().min(1),
    tenantId: z.string().min(1),
    format: z.enum(['ndjson', 'csv', 'xlsx']),
    /** The export's filters, as stored. */
    filters: z.record(z.string(), z.unknown()),
    /** The export covers the events received up to this instant. */
    requestedAt: z.iso.datetime(),
    signedAt: z.iso.datetime(),
    file: z.object({ name: z.string().min(1), bytes: z.number().int().min(0), sha256: ZSha256Hex, rows: z.number().int().min(0) }).strict(),
    /** The log positions of the exported events (none for an empty export). */
    positions: z.object({ first: z.number().int().min(0), last: z.number().int().min(0), count: z.number().int().min(1) }).strict().nullable(),
    /** The signed note of the checkpoint whose tree holds every exported event; null while the log is empty. */
    checkpoint: z.string().min(1).max(4_096).nullable(),
    /** `per_line`: each NDJSON line carries its inclusion proof; `none`: the file is bound by its hash alone. */
    proofs: z.enum(['per_line', 'none']),
  })
  .strict();
export type TExportManifest = z.infer<typeof ZExportManifest>;

/** Manifests are signed with the log's own key (the checkpoints'), so one public key checks both. */
export function envelopeSignerOf(key: SigningKey): EnvelopeSigner {
  return { keyId: key.keyId, sign: (message) => signBytes(key, message) };
}

export function signExportManifest(manifest: TExportManifest, key: SigningKey): TSignedEnvelope {
  return signEnvelope(EXPORT_MANIFEST_TYPE, ZExportManifest.parse(manifest), envelopeSignerOf(key));
}

export type ManifestCheck = { ok: true; manifest: TExportManifest; keyId: string } | { ok: false; reason: string };

/** The manifest, when its envelope is well formed, signed by one of `keys` while that key was valid, and a manifest. */
export function openExportManifest(envelopeJson: unknown, keys: readonly KnownKey[]): ManifestCheck {
  const envelope = ZSignedEnvelope.safeParse(envelopeJson);
  if (!envelope.success) return { ok: false, reason: `not a signed manifest (${envelope.error.issues[0]?.message ?? 'malformed'})` };
  const opened = openEnvelope(envelope.data, EXPORT_MANIFEST_TYPE, keyVerifier(keys));
  if (!opened.ok) return opened;
  const manifest = ZExportManifest.safeParse(opened.document);
  if (!manifest.success) return { ok: false, reason: `the signed manifest is not a version 1 manifest (${manifest.error.issues[0]?.message ?? ''})` };
  if (!keyValidAt(keys, opened.keyId, new Date(manifest.data.signedAt))) return { ok: false, reason: `key ${opened.keyId} was not valid at ${manifest.data.signedAt}` };
  return { ok: true, manifest: manifest.data, keyId: opened.keyId };
}
