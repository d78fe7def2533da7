import { SNAPSHOT_OPTIONS } from './plugin-context';
import type { PlainDocument } from './update-diff';

/**
 * What a loaded document was, for diffing its save: the object the driver returned, kept by
 * reference in a `pre('init')` hook, so hydrating a list costs no copy. Mongoose builds its own
 * values from that object and does not change it, except where the document shares a value with
 * it: a `Mixed` path (or a path outside a `strict: false` schema) and Dates are taken as they are.
 * A schema with `Mixed` paths, or not strict, takes a copy at init instead (what `toObject` gives);
 * a Date or other top-level value still shared when saved was changed in place, so its before-value
 * is unknown and the change records the after-value only.
 */
export const LOADED_IMAGE = 'auditLoaded';

/** Whether mongoose shares objects between the driver's document and the hydrated one (memoised per schema). */
const sharing = new WeakMap<object, boolean>();
export function sharesRawValues(schema: any, depth = 0): boolean {
  if (!schema || typeof schema.eachPath !== 'function') return false;
  const known = sharing.get(schema);
  if (known !== undefined) return known;
  let shares = schema.options?.strict === false;
  schema.eachPath((_path: string, type: any) => {
    if (shares || depth > 10) return;
    if (type?.instance === 'Mixed' || type?.$__schemaType?.instance === 'Mixed') shares = true;
    else if (type?.schema && sharesRawValues(type.schema, depth + 1)) shares = true;
  });
  sharing.set(schema, shares);
  return shares;
}

/** Top-level fields a save will write (`address.city` → `address`); empty when nothing changed. */
export function modifiedTopLevelFields(document: any): string[] {
  const fields = new Set<string>();
  for (const path of document.modifiedPaths() as string[]) fields.add(path.split('.', 1)[0]!);
  return [...fields];
}

/** One top-level field of a document as `toObject(SNAPSHOT_OPTIONS)` would give it: no getters, populated paths as ids. */
export function plainFieldOf(document: any, field: string): unknown {
  const populated = document.populated?.(field);
  if (populated !== undefined) return populated;
  const value = document.get(field, null, { getters: false });
  return value !== null && typeof value === 'object' && typeof value.toObject === 'function' ? value.toObject(SNAPSHOT_OPTIONS) : value;
}

/**
 * Before and after of the fields a save writes, and nothing else. `loaded`'s other fields stay by
 * reference in `before` (the subject's name is read from them).
 */
export function savedFields(document: any, loaded: PlainDocument, fields: readonly string[]): { before: PlainDocument; after: PlainDocument } {
  const before: PlainDocument = {};
  const after: PlainDocument = { _id: document._id };
  for (const field of fields) {
    const value = plainFieldOf(document, field);
    after[field] = value;
    const raw = document.$__getValue?.(field);
    // Still the driver's own object: it was changed in place, so what it held before is gone.
    if (!(loaded[field] !== null && typeof loaded[field] === 'object' && loaded[field] === raw)) before[field] = loaded[field];
  }
  return { before, after };
}
