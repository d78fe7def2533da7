import type { Db } from 'mongodb';

export type ServerKind = 'mongodb' | 'ferretdb';

/** FerretDB answers `buildInfo` with its own version beside the MongoDB version it emulates. */
export function serverKindOf(buildInfo: { ferretdbVersion?: unknown }): ServerKind {
  return typeof buildInfo.ferretdbVersion === 'string' ? 'ferretdb' : 'mongodb';
}

export async function detectServerKind(db: Db): Promise<ServerKind> {
  return serverKindOf((await db.admin().command({ buildInfo: 1 })) as { ferretdbVersion?: unknown });
}

/**
 * Whether counting a filter's matches is cheap enough to do beside a stream: MongoDB counts from
 * the (tenant, …) indexes; FerretDB v1 pushes no range down to its backend, so a count is another
 * full scan of the collection.
 */
export const countsAreCheap = (kind: ServerKind) => kind === 'mongodb';
