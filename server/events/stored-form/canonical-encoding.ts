/**
 * The one canonical encoding of the stored form: what a commitment and the integrity log hash.
 * RFC 8785 (JCS) in spirit, over the JSON-like values an event's hashed part holds:
 * - objects: members sorted by key in UTF-16 code-unit order (JCS §3.2.3), members whose value is
 *   `undefined` left out (a stored document has no such member either);
 * - arrays keep their order; an `undefined` element is refused (JSON has none, BSON would store null);
 * - strings as JSON.stringify writes them (JCS §3.2.2.2: `"` `\` and controls escaped, the rest
 *   as is), and not Unicode-normalised: a commitment binds the exact value a host recorded, and
 *   MongoDB keeps a string's bytes, so NFC would only make two different values hash alike;
 *   a lone surrogate is refused (BSON cannot keep it: it would come back as U+FFFD and no longer verify);
 * - numbers in JavaScript's shortest round-trip form (JCS §3.2.2.3: Number.prototype.toString);
 *   -0 is 0; NaN and ±Infinity are refused;
 * - a Date is its ISO 8601 text (`toISOString()`, millisecond precision: what BSON keeps).
 * Anything else (ObjectId, Buffer, bigint, class instances) is refused: convert it first.
 * Output is UTF-8.
 */
export class CanonicalEncodingError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`cannot encode ${path || '(value)'} canonically: ${reason}`);
    this.name = 'CanonicalEncodingError';
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function canonicalJson(value: unknown): string {
  return encode(value, '');
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(encode(value, ''), 'utf8');
}

function encode(value: unknown, path: string): string {
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new CanonicalEncodingError(path, 'a lone surrogate');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalEncodingError(path, `${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new CanonicalEncodingError(path, 'an invalid date');
        return `"${value.toISOString()}"`;
      }
      if (Array.isArray(value)) return encodeArray(value, path);
      if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
        return encodeObject(value as Record<string, unknown>, path);
      }
      throw new CanonicalEncodingError(path, `a ${value.constructor?.name ?? 'non-plain'} object`);
    default:
      throw new CanonicalEncodingError(path, `a ${typeof value}`);
  }
}

function encodeArray(values: unknown[], path: string): string {
  const parts: string[] = [];
  for (let index = 0; index < values.length; index++) {
    if (values[index] === undefined) throw new CanonicalEncodingError(`${path}[${index}]`, 'undefined in an array');
    parts.push(encode(values[index], `${path}[${index}]`));
  }
  return `[${parts.join(',')}]`;
}

function encodeObject(object: Record<string, unknown>, path: string): string {
  // Default sort compares UTF-16 code units, which is JCS's order.
  const keys = Object.keys(object).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const member = object[key];
    if (member === undefined) continue;
    const memberPath = path ? `${path}.${key}` : key;
    parts.push(`${encode(key, memberPath)}:${encode(member, memberPath)}`);
  }
  return `{${parts.join(',')}}`;
}
