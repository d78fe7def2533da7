import type { TChange } from '../../server/events';
import { withoutNestedSecrets, type FieldRules } from './field-rules';
import { withoutUndefined } from '../../server/common/without-undefined';

/** Reading and writing dotted paths (`address.city`, `lineItems.0.quantity`) in plain objects. */
export type PlainDocument = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainDocument {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return false;
  return !('_bsontype' in value) && !Buffer.isBuffer(value);
}

export function getPath(document: unknown, path: string): unknown {
  let current: unknown = document;
  for (const segment of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) current = /^\d+$/.test(segment) ? current[Number(segment)] : undefined;
    else if (typeof current === 'object') current = (current as PlainDocument)[segment];
    else return undefined;
  }
  return current;
}

export function setPath(document: PlainDocument, path: string, value: unknown): void {
  const segments = path.split('.');
  let current: unknown = document;
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    const container = current as PlainDocument | unknown[];
    const key = Array.isArray(container) ? Number(segment) : segment;
    if (last) {
      (container as Record<string | number, unknown>)[key] = value;
      return;
    }
    let next = (container as Record<string | number, unknown>)[key];
    if (next === null || typeof next !== 'object') {
      next = /^\d+$/.test(segments[index + 1] ?? '') ? [] : {};
      (container as Record<string | number, unknown>)[key] = next;
    }
    current = next;
  }
}

export function unsetPath(document: PlainDocument, path: string): void {
  const parentPath = path.split('.').slice(0, -1).join('.');
  const key = path.split('.').pop() ?? path;
  const parent = parentPath ? getPath(document, parentPath) : document;
  if (Array.isArray(parent) && /^\d+$/.test(key)) parent[Number(key)] = null;
  else if (parent && typeof parent === 'object') delete (parent as PlainDocument)[key];
}

/** Any JSON value, `null` included (the event schema's `z.json()`). */
export type JsonValue = Exclude<TChange['before'], undefined> | null;

/** Longest JSON a change value may take; longer values are replaced by a short note. */
export const MAX_CHANGE_VALUE_JSON = 4_000;

/**
 * Makes a stored value JSON-safe the way a person reading the log expects: ObjectIds as hex,
 * dates as ISO text, decimals as text, binaries not at all. `undefined` means "absent".
 */
export function toJsonValue(value: unknown, depth = 0): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (depth > 20) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => toJsonValue(item, depth + 1) ?? null);
  if (typeof value === 'object') {
    const bsonType = (value as { _bsontype?: string })._bsontype;
    if (bsonType === 'ObjectId' || bsonType === 'ObjectID' || bsonType === 'Decimal128' || bsonType === 'Long') return String(value);
    if (bsonType === 'Binary' || Buffer.isBuffer(value)) return '[binary]';
    const plain = typeof (value as { toObject?: unknown }).toObject === 'function' ? (value as { toObject(): object }).toObject() : value;
    const result: Record<string, JsonValue> = {};
    for (const [key, member] of Object.entries(plain)) {
      const converted = toJsonValue(member, depth + 1);
      if (converted !== undefined) result[key] = converted;
    }
    return result;
  }
  return undefined;
}

/** Equal as a reader of the log would see them; an absent value differs from `null`. */
export function sameJson(left: unknown, right: unknown): boolean {
  if (left === undefined || right === undefined) return left === right;
  return JSON.stringify(toJsonValue(left)) === JSON.stringify(toJsonValue(right));
}

/** Keeps an event small when a field holds a large blob: the reader learns its size, not its content. */
export function boundedChangeValue(value: JsonValue | undefined): JsonValue | undefined {
  if (value === undefined) return undefined;
  const length = JSON.stringify(value).length;
  return length <= MAX_CHANGE_VALUE_JSON ? value : `[${length} characters omitted]`;
}

/**
 * Turns a MongoDB update (operators or a plain replacement of fields) into the field changes an
 * auditor reads: each touched path with its value before and after. The "after" document is
 * computed from the operators, so no second read of the database is needed.
 */
export interface AppliedUpdate {
  after: PlainDocument;
  touchedPaths: string[];
}

/** `inserting`: the update creates the record (an upsert that matched nothing), so `$setOnInsert` applies. */
export function applyUpdateOperators(before: PlainDocument, update: PlainDocument, { now = new Date(), inserting = false } = {}): AppliedUpdate {
  const after = structuredClone((toJsonValue(before) ?? {}) as PlainDocument);
  const touched: string[] = [];
  for (const [key, operand] of Object.entries(update)) {
    // Mongoose adds $setOnInsert (createdAt, defaults) to upserts; it changes nothing in a record that exists.
    if (key === '$setOnInsert' && !inserting) continue;
    if (!key.startsWith('$')) {
      // Mongoose treats top-level fields without an operator as $set.
      setPath(after, key, toJsonValue(operand) ?? null);
      touched.push(key);
      continue;
    }
    if (!isPlainObject(operand)) continue;
    for (const [path, value] of Object.entries(operand)) {
      if (path.includes('$')) {
        touched.push(path);
        continue;
      }
      applyOperator(after, key, path, toJsonValue(value), now);
      touched.push(key === '$rename' && typeof value === 'string' ? value : path);
      if (key === '$rename' && typeof value === 'string') touched.push(path);
    }
  }
  return { after, touchedPaths: [...new Set(touched)] };
}

function applyOperator(document: PlainDocument, operator: string, path: string, value: unknown, now: Date): void {
  const current = getPath(document, path);
  switch (operator) {
    case '$set':
    case '$setOnInsert':
      return setPath(document, path, value ?? null);
    case '$unset':
      return unsetPath(document, path);
    case '$inc':
      return setPath(document, path, (Number(current) || 0) + Number(value));
    case '$mul':
      return setPath(document, path, (Number(current) || 0) * Number(value));
    case '$min':
      return setPath(document, path, current === undefined || Number(value) < Number(current) ? value : current);
    case '$max':
      return setPath(document, path, current === undefined || Number(value) > Number(current) ? value : current);
    case '$currentDate':
      return setPath(document, path, now.toISOString());
    case '$rename':
      if (typeof value === 'string') {
        setPath(document, value, current);
        unsetPath(document, path);
      }
      return;
    case '$push':
    case '$addToSet':
      return setPath(document, path, pushed(Array.isArray(current) ? current : [], value, operator === '$addToSet'));
    case '$pull':
      return setPath(document, path, Array.isArray(current) ? current.filter((item) => !matchesPullCondition(item, value)) : current);
    case '$pullAll':
      return setPath(document, path, Array.isArray(current) && Array.isArray(value) ? current.filter((item) => !value.some((removed) => sameJson(item, removed))) : current);
    case '$pop':
      return setPath(document, path, Array.isArray(current) ? (Number(value) < 0 ? current.slice(1) : current.slice(0, -1)) : current);
    default:
      return;
  }
}

function pushed(current: unknown[], value: unknown, unique: boolean): unknown[] {
  const modifiers = isPlainObject(value) && Array.isArray(value.$each) ? value : undefined;
  const items = modifiers ? (modifiers.$each as unknown[]) : [value];
  let result = [...current];
  const additions = unique ? items.filter((item, index) => !result.some((kept) => sameJson(kept, item)) && items.findIndex((other) => sameJson(other, item)) === index) : items;
  const position = typeof modifiers?.$position === 'number' ? modifiers.$position : result.length;
  result.splice(position < 0 ? Math.max(0, result.length + position) : position, 0, ...additions);
  if (typeof modifiers?.$slice === 'number') result = modifiers.$slice >= 0 ? result.slice(0, modifiers.$slice) : result.slice(modifiers.$slice);
  return result;
}

/** $pull by value, by `{ $in: [...] }`, or by a partial sub-document such as `{ _id: id }`. */
function matchesPullCondition(item: unknown, condition: unknown): boolean {
  if (!isPlainObject(condition)) return sameJson(item, condition);
  if (Array.isArray(condition.$in)) return condition.$in.some((candidate) => sameJson(item, candidate));
  if (!isPlainObject(item)) return false;
  return Object.entries(condition).every(([path, expected]) => sameJson(getPath(item, path), expected));
}

/** Changes for the given paths between two documents, with the host's ignore and redaction rules. */
export function diffPaths(before: PlainDocument, after: PlainDocument, paths: readonly string[], rules: FieldRules): TChange[] {
  const changes: TChange[] = [];
  for (const path of paths) pushChange(changes, path, getPath(before, path), getPath(after, path), rules, toJsonValue);
  return changes;
}

/**
 * The change at one path, if it is one: ignored paths and equal values give none. `toJson` makes a
 * value JSON (the documents' walk passes values that are JSON already); each value is converted once,
 * compared and recorded as converted.
 */
function pushChange(changes: TChange[], path: string, beforeValue: unknown, afterValue: unknown, rules: FieldRules, toJson: (value: unknown) => JsonValue | undefined): void {
  if (rules.isIgnored(path)) return;
  if (path.includes('$')) {
    // A positional update: which element matched is known only to the server.
    changes.push(rules.isSensitive(path) ? { field: path, redacted: true } : { field: path });
    return;
  }
  const bothDefined = beforeValue !== undefined && afterValue !== undefined;
  if (!bothDefined && beforeValue === afterValue) return;
  const [before, after] = [toJson(beforeValue), toJson(afterValue)];
  if (bothDefined && JSON.stringify(before) === JSON.stringify(after)) return;
  if (rules.isSensitive(path)) changes.push({ field: path, redacted: true });
  else changes.push(withoutUndefined({ field: path, before: recordedJson(before, path, rules), after: recordedJson(after, path, rules) }));
}

export function changesForUpdate(before: PlainDocument, update: PlainDocument, rules: FieldRules): TChange[] {
  const { after, touchedPaths } = applyUpdateOperators(before, update);
  return diffPaths(toJsonValue(before) as PlainDocument, after, touchedPaths, rules);
}

/**
 * Every leaf path (sub-documents walked, arrays compared whole) that differs between two documents.
 * One walk of both JSON trees, values taken as it descends: listing the paths first and reading
 * each back with getPath, then converting each value to JSON a second time, was half the diff's
 * cost on a 24-field create (bench/crm-host; issue 17). Same changes, same order: the left
 * document's keys, then the keys only the right one has.
 */
export function changesBetweenDocuments(before: PlainDocument, after: PlainDocument, rules: FieldRules): TChange[] {
  const beforeJson = (toJsonValue(before) ?? {}) as PlainDocument;
  const afterJson = (toJsonValue(after) ?? {}) as PlainDocument;
  const changes: TChange[] = [];
  diffTrees(beforeJson, afterJson, '', { beforeJson, afterJson, rules, changes });
  return changes;
}

interface TreeDiff {
  beforeJson: PlainDocument;
  afterJson: PlainDocument;
  rules: FieldRules;
  changes: TChange[];
}

function diffTrees(left: unknown, right: unknown, prefix: string, diff: TreeDiff): void {
  if (!isPlainObject(left) || !isPlainObject(right)) {
    if (prefix) diffLeaf(prefix, left, right, diff);
    return;
  }
  for (const key of Object.keys(left)) diffTrees(left[key], right[key], prefix ? `${prefix}.${key}` : key, diff);
  for (const key of Object.keys(right)) if (!Object.hasOwn(left, key)) diffTrees(undefined, right[key], prefix ? `${prefix}.${key}` : key, diff);
}

/** A leaf of the walk: its values are JSON already (toJsonValue's output). */
function diffLeaf(path: string, left: unknown, right: unknown, { beforeJson, afterJson, rules, changes }: TreeDiff): void {
  // A key with a dot in it: read by its path, as the dotted path reads (so the same leaf is found).
  const [beforeValue, afterValue] = path.includes('.') ? [getPath(beforeJson, path), getPath(afterJson, path)] : [left, right];
  pushChange(changes, path, beforeValue, afterValue, rules, asJson);
}

const asJson = (value: unknown): JsonValue | undefined => value as JsonValue | undefined;

/** A value as a change records it: nested secrets left out, a large one by its size. */
function recordedJson(value: JsonValue | undefined, path: string, rules: FieldRules): ReturnType<typeof boundedChangeValue> {
  return boundedChangeValue(withoutNestedSecrets(value, path, rules));
}

function recordedValue(value: unknown, path: string, rules: FieldRules): ReturnType<typeof boundedChangeValue> {
  return recordedJson(toJsonValue(value), path, rules);
}


/**
 * For a multi-record update: what was set, per field, without a "before" (it differs per record).
 * Operators whose result depends on each record ($inc, $push, ...) name the field only.
 */
export function bulkChangesFromUpdate(update: PlainDocument, rules: FieldRules): TChange[] {
  const changes = new Map<string, TChange>();
  for (const [key, operand] of Object.entries(update)) {
    if (key === '$setOnInsert') continue;
    const entries: Array<[string, unknown, string]> = key.startsWith('$')
      ? isPlainObject(operand) ? Object.entries(operand).map(([path, value]) => [path, value, key]) : []
      : [[key, operand, '$set']];
    for (const [path, value, operator] of entries) {
      if (rules.isIgnored(path)) continue;
      if (rules.isSensitive(path)) changes.set(path, { field: path, redacted: true });
      else if (operator === '$set') changes.set(path, withoutUndefined({ field: path, after: recordedValue(value, path, rules) ?? null }));
      else changes.set(path, { field: path });
    }
  }
  return [...changes.values()];
}
