import type { SubjectRules } from './change-events';
import type { FieldRules } from './field-rules';
import type { PluginContext } from './plugin-context';
import { isPlainObject, type PlainDocument } from './update-diff';

/**
 * What a single-record write's before-image must hold: the fields the update writes (their values
 * before are the diff's "before") and the fields the subject's name is made of. Pure: unit-tested
 * without a database. `undefined` means the whole document (a replace, a pipeline update, or a
 * `displayName` whose fields the host did not name).
 */
export type BeforeImageProjection = Record<string, 1>;

/** The paths an update writes, `$rename`'s targets included; `undefined` for a pipeline or a replacement. */
export function pathsWrittenBy(update: unknown): string[] | undefined {
  if (!isPlainObject(update)) return undefined;
  const paths: string[] = [];
  for (const [key, operand] of Object.entries(update)) {
    // Mongoose adds $setOnInsert (createdAt, defaults) to upserts; it writes nothing in a record that exists.
    if (key === '$setOnInsert') continue;
    if (!key.startsWith('$')) {
      paths.push(key);
      continue;
    }
    if (!isPlainObject(operand)) continue;
    for (const [path, value] of Object.entries(operand)) {
      paths.push(path);
      if (key === '$rename' && typeof value === 'string') paths.push(value);
    }
  }
  return paths;
}

/**
 * `activity.0.note`, `items.$.qty` and `items.$[open].qty` read their whole array (`activity`,
 * `items`): a projection path names fields, not array positions.
 */
function projectionPathOf(path: string): string | undefined {
  const segments = path.split('.');
  const end = segments.findIndex((segment) => /^\d+$/.test(segment) || segment.includes('$'));
  const kept = end < 0 ? segments : segments.slice(0, end);
  return kept.length > 0 && kept.every((segment) => segment.length > 0) ? kept.join('.') : undefined;
}

/**
 * The projection for `written` paths plus `nameFields`, or `undefined` for the whole document.
 * Ignored fields are not read (their changes are never recorded); `select: false` fields stay unread
 * as the schema wants (a change to them is recorded by name only anyway). MongoDB refuses a
 * projection naming a path and one inside it, so only the outer one is kept.
 */
export function beforeImageProjection(written: readonly string[] | undefined, nameFields: readonly string[] | undefined, rules: FieldRules): BeforeImageProjection | undefined {
  if (!written || !nameFields) return undefined;
  const candidates = new Set<string>();
  for (const path of written) {
    const projected = projectionPathOf(path);
    if (projected && !rules.isIgnored(projected)) candidates.add(projected);
  }
  for (const field of nameFields) {
    const projected = projectionPathOf(field);
    if (projected) candidates.add(projected);
  }
  const outermostFirst = [...candidates].filter((path) => !rules.isHidden(path)).sort((left, right) => left.split('.').length - right.split('.').length);
  const kept: string[] = [];
  for (const path of outermostFirst) if (!kept.some((outer) => path.startsWith(`${outer}.`))) kept.push(path);
  // Never an empty projection (MongoDB reads that as "every field"): `_id` is always there.
  const projection: BeforeImageProjection = { _id: 1 };
  for (const path of kept) projection[path] = 1;
  return projection;
}

/**
 * What a single-record write reads before it runs: a delete only the subject's name, an update the
 * fields it writes and the name, a replace the whole record (every field may change).
 */
export function beforeImageFor(op: string, update: unknown, rules: SubjectRules, context: Pick<PluginContext, 'fieldRules'>): BeforeImageProjection | undefined {
  if (op === 'replaceOne' || op === 'findOneAndReplace') return undefined;
  const written = op === 'deleteOne' ? [] : pathsWrittenBy(update);
  return beforeImageProjection(written, rules.nameFields, context.fieldRules);
}

export interface BeforeImageRead {
  filter: PlainDocument;
  /** `undefined`: the whole document (less the schema's `select: false` fields). */
  projection?: BeforeImageProjection;
  sort?: unknown;
  /** The host's session, so a write inside a transaction is diffed against what the transaction sees. */
  session?: unknown;
}
