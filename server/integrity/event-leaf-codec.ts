import { z } from 'zod';
import { hashedPartOf, storedForm, type StoredEventV2 } from '../events/capture';
import type { LeafCodec } from './export-lines';

/**
 * An event's leaf in an NDJSON export, and how a verifier checks it: the leaf is the stored form's
 * hashed part as canonical JSON (dates as ISO text, as the encoding writes them, so parsing the line
 * and encoding again gives the very bytes the log hashed), and `values` are the personal values
 * still held, each with its salt, checked against the commitment the leaf holds at its key. An
 * erased value is simply absent: its commitment still stands in the leaf, and the leaf still verifies.
 */
export const ZExportValue = z.object({ key: z.string(), value: z.string(), salt: z.string() }).strict();
const { canonicalBytes, canonicalJson, verifyCommitment } = storedForm;
const ZExportValues = z.array(ZExportValue).max(10_000);

/** The leaf of a stored event as a JSON object (what the line carries); any stored version, as the sealer hashes it. */
export function exportLeafOf(stored: object): Record<string, unknown> {
  return JSON.parse(canonicalJson(hashedPartOf(stored as StoredEventV2))) as Record<string, unknown>;
}

/** The personal values an export line carries: those not erased whose commitment is in the leaf. */
export function exportValuesOf(stored: object & { personal?: readonly storedForm.TPersonalValue[] }, leaf: Record<string, unknown>): z.infer<typeof ZExportValue>[] {
  return (stored.personal ?? [])
    .filter((entry) => entry.value !== undefined && entry.salt !== undefined && commitmentAt(leaf, entry.key) !== undefined)
    .map((entry) => ({ key: entry.key, value: entry.value!, salt: entry.salt! }));
}

/** Where the hashed part holds the commitment of the personal value `key` (stored-event.schema.ts's keys). */
export function commitmentAt(leaf: Record<string, unknown>, key: string): string | undefined {
  const member = (value: unknown, name: string | number): unknown => (value && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined);
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const [head, ...rest] = key.split('.');
  if (head === 'actor' && (rest[0] === 'name' || rest[0] === 'email') && rest.length === 1) return text(member(leaf.actor, rest[0]));
  if (head === 'subject' && rest[0] === 'name' && rest.length === 1) return text(member(leaf.subject, 'name'));
  if (head === 'changes' && rest.length === 2 && /^\d+$/.test(rest[0]!) && (rest[1] === 'before' || rest[1] === 'after')) {
    return text(member(member(leaf.changes, Number(rest[0])), rest[1]));
  }
  if (head === 'metadata' && rest.length > 0 && typeof leaf.metadata === 'string') {
    try {
      return text(member(JSON.parse(leaf.metadata), rest.join('.')));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export const EVENT_LEAF_CODEC: LeafCodec = {
  bytes: (leaf) => canonicalBytes(leaf),
  checkValues(leaf, values) {
    const parsed = ZExportValues.safeParse(values);
    if (!parsed.success) return `values: ${parsed.error.issues[0]?.message ?? 'malformed'}`;
    for (const { key, value, salt } of parsed.data) {
      const commitment = commitmentAt(leaf, key);
      if (commitment === undefined) return `the value of ${key} has no commitment in the event`;
      let opened: unknown;
      try {
        opened = JSON.parse(value);
      } catch {
        return `the value of ${key} is not JSON text`;
      }
      if (verifyCommitment(commitment, { value: opened, salt }) !== 'verified') return `the value of ${key} is not the one the event committed to`;
    }
    return null;
  },
};
