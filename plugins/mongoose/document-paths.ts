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
