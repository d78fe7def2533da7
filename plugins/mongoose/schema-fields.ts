/**
 * What the host's schema itself says about its fields. A field declared `select: false` is one the
 * host keeps out of every read (a password salt, a reset token): the audit log keeps its values out
 * too, whatever the field is called.
 */
interface SchemaPathLike {
  options?: { select?: unknown };
  /** Sub-document and document-array paths carry their own schema. */
  schema?: SchemaLike;
}
interface SchemaLike {
  eachPath(visit: (path: string, type: SchemaPathLike) => void): void;
}

export function selectHiddenPaths(schema: unknown, prefix = '', depth = 0): string[] {
  if (!isSchemaLike(schema) || depth > 10) return [];
  const hidden: string[] = [];
  schema.eachPath((path, type) => {
    const fullPath = prefix ? `${prefix}.${path}` : path;
    if (type?.options?.select === false) hidden.push(fullPath);
    else if (type?.schema) hidden.push(...selectHiddenPaths(type.schema, fullPath, depth + 1));
  });
  return hidden;
}

function isSchemaLike(value: unknown): value is SchemaLike {
  return typeof (value as SchemaLike | undefined)?.eachPath === 'function';
}
