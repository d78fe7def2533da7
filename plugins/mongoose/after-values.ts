import { singleRecordUpdated, type SubjectRules } from './change-events';
import { recordSafely, type PluginContext } from './plugin-context';
import { bulkChangesFromUpdate, isPlainObject, type PlainDocument } from './update-diff';

/**
 * The `afterValuesOnly` option: a query-style single-record update is recorded without reading the
 * record first. What it gives up (docs/HOOKS.md): no before-values; every field the update sets is
 * recorded with its new value, changed or not; operators whose result depends on the record
 * (`$inc`, `$push`, …) are recorded by field name only; the subject's name only when the update
 * sets a display-name field or the write returns the record. Pure but for `recordSafely`.
 */
export const AFTER_VALUES_OPS = new Set(['updateOne', 'findOneAndUpdate']);

/** The record's id when the filter names exactly one (`{ _id: id, … }`, not `{ _id: { $in: … } }`). */
export function idNamedBy(filter: unknown): unknown {
  if (!isPlainObject(filter)) return undefined;
  const id = filter._id;
  if (id === undefined || id === null) return undefined;
  if (isPlainObject(id)) return '$eq' in id && !isPlainObject(id.$eq) ? id.$eq : undefined;
  return id;
}

/**
 * Whether the write can be recorded without any read: not an upsert or a pipeline, and the record is
 * known by the filter's `_id` or by what `findOneAndUpdate` returns. Otherwise the plugin reads the
 * record's `_id` and name only (still no before-values).
 */
export function needsNoRead(op: string, filter: unknown, update: unknown, upsert: boolean): boolean {
  if (upsert || !isPlainObject(update)) return false;
  return op === 'findOneAndUpdate' || idNamedBy(filter) !== undefined;
}

/**
 * `known`: `_id` (and the name fields) from the filter, the returned record, or an `_id`-and-name
 * read. Setting the soft-delete flag to true records the soft delete it asks for (its value before is unknown).
 */
export function recordAfterValues(context: PluginContext, rules: SubjectRules, known: PlainDocument, update: PlainDocument): void {
  const changes = bulkChangesFromUpdate(update, context.fieldRules);
  recordSafely(context, singleRecordUpdated(rules, { _id: known._id }, { ...known, ...setValues(update) }, changes));
}

/** Top-level values an update sets (`$set` or plain fields): the subject's name may be among them. */
function setValues(update: PlainDocument): PlainDocument {
  const values: PlainDocument = {};
  for (const [key, operand] of Object.entries(update)) {
    if (!key.startsWith('$')) values[key] = operand;
    else if (key === '$set' && isPlainObject(operand)) for (const [path, value] of Object.entries(operand)) if (!path.includes('.')) values[path] = value;
  }
  return values;
}
