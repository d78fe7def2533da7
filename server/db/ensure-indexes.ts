import type { Collection, Document, IndexDescription } from 'mongodb';

export type NamedIndex = IndexDescription & { name: string };

/**
 * Creates the indexes a collection lacks, by name. Only the missing ones: FerretDB v1 drops the
 * connection on a createIndexes that names several existing indexes, which is every restart on
 * kept data.
 */
export async function ensureIndexes<T extends Document>(collection: Collection<T>, indexes: readonly NamedIndex[]): Promise<void> {
  const existing = new Set((await collection.indexes().catch(() => [])).map((index) => index.name));
  const missing = indexes.filter(({ name }) => !existing.has(name));
  if (missing.length > 0) await collection.createIndexes(missing.map((index) => ({ ...index })));
}
