import type { TChange } from '../../server/events';

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
