import { isPlainObject, type PlainDocument, applyUpdateOperators } from './update-diff';
import type { FieldRules } from './field-rules';

/**
 * What an update will do, worked out before it runs: which matched records it really changes (a
 * multi-record update reports those, not every record its filter matched), and which record an
 * upsert that matched nothing creates. Pure: unit-tested without a database.
 */
export type WouldChange =
  /** The update touches no field the log records (only `updatedAt`, say): no record is reported. */
  | { kind: 'nothing' }
  /** Every matched record changes (`$inc`, `$push`, …): the filter alone finds them. */
  | { kind: 'every_match' }
  /** Only matched records that also match this condition change. */
  | { kind: 'some'; condition: PlainDocument };

/**
 * `$set: { removed: true }` changes only records where `removed` is not already true; `$unset` only
 * those that have the field. A record changes if any recorded field changes, hence `$or`.
 */
export function wouldChangeCondition(update: PlainDocument, rules: FieldRules): WouldChange {
  const conditions: PlainDocument[] = [];
  for (const [key, operand] of Object.entries(update)) {
    if (key === '$setOnInsert') continue;
    const operator = key.startsWith('$') ? key : '$set';
    const entries = key.startsWith('$') ? (isPlainObject(operand) ? Object.entries(operand) : []) : [[key, operand] as const];
    for (const [path, value] of entries) {
      if (rules.isIgnored(path)) continue;
      const condition = fieldWouldChange(operator, path, value);
      if (!condition) return { kind: 'every_match' };
      conditions.push(condition);
    }
  }
  if (conditions.length === 0) return { kind: 'nothing' };
  return { kind: 'some', condition: conditions.length === 1 ? conditions[0]! : { $or: conditions } };
}

function fieldWouldChange(operator: string, path: string, value: unknown): PlainDocument | undefined {
  // A positional path (`items.$.qty`) names no single field a condition could test.
  if (path.includes('$')) return undefined;
  if (operator === '$set') return { [path]: { $ne: value } };
  if (operator === '$unset') return { [path]: { $exists: true } };
  return undefined;
}

/** Combines the host's filter with the condition, in the query subset FerretDB serves too. */
export function changingRecordsFilter(filter: PlainDocument, wouldChange: WouldChange): PlainDocument {
  if (wouldChange.kind !== 'some') return filter;
  return Object.keys(filter).length === 0 ? wouldChange.condition : { $and: [filter, wouldChange.condition] };
}

/**
 * The record an upsert inserted: the filter's equality fields (as MongoDB copies them), then the
 * update applied with `$setOnInsert`; for a replace, the replacement. `_id` is the one the server reports.
 */
export function documentInsertedByUpsert(filter: PlainDocument, update: PlainDocument, insertedId: unknown, replacement = false): PlainDocument {
  const seed = equalityFields(filter);
  const inserted = replacement ? { ...seed, ...update } : applyUpdateOperators(seed, update, { inserting: true }).after;
  return { ...inserted, _id: insertedId };
}

function equalityFields(filter: PlainDocument): PlainDocument {
  const fields: PlainDocument = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('$')) continue;
    if (!isPlainObject(value)) fields[key] = value;
    else if ('$eq' in value) fields[key] = value.$eq;
    else if (!Object.keys(value).some((member) => member.startsWith('$'))) fields[key] = value;
  }
  return fields;
}
