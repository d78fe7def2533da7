import type { Collection, Document } from 'mongodb';
import { ObjectId } from 'mongodb';
import { ZEventFilters, type TEventFiltersInput } from '../../server/events/event-filters.schema';
import { buildEventFilter, EVENT_SORT, indexFor, type EventPosition } from '../../server/events/event-query';
import type { EventDocument } from '../../server/events/event.document';
import { median, timeMs } from './bench-stats';

const PAGE = 50;
const DEEPEST_PAGE = 200;

export interface IndexFitFigure {
  pattern: string;
  index: string;
  keysExamined: number;
  nReturned: number;
  /** Target ≤ 1.1: the index walks straight to the page. */
  keysPerReturned: number;
  /** Target false: no in-memory sort. */
  sortStage: boolean;
  /** The page compared with page 1 (200, or the last full page for patterns with fewer matches). */
  deepPage: number;
  /** Target ≤ 1.5: keyset paging costs the same at any depth. */
  deepOverFirst: number;
  met: boolean;
}

/**
 * Runs only against a real MongoDB (FerretDB v1's explain has no executionStats or index plans):
 * for each pattern, explain of the first page as the API runs it, and first against deep page latency.
 */
export async function explainReport(collection: Collection<EventDocument>, tenantId: string, patterns: Array<{ name: string; filters: TEventFiltersInput }>): Promise<IndexFitFigure[]> {
  const figures: IndexFitFigure[] = [];
  for (const pattern of patterns) {
    const filters = ZEventFilters.parse(pattern.filters);
    const options = { sort: EVENT_SORT, hint: indexFor(filters) };
    const page = (after?: EventPosition) => collection.find(buildEventFilter(tenantId, filters, after), { ...options, limit: PAGE }).toArray();
    const explained = (await collection.find(buildEventFilter(tenantId, filters), { ...options, limit: PAGE }).explain('executionStats')) as Document;
    const stats = explained.executionStats as { totalKeysExamined: number; nReturned: number };
    const sortStage = JSON.stringify(explained.queryPlanner?.winningPlan ?? {}).includes('"stage":"SORT"');

    const matches = await collection.countDocuments(buildEventFilter(tenantId, filters), { limit: DEEPEST_PAGE * PAGE });
    const deepPage = Math.min(DEEPEST_PAGE, Math.floor(matches / PAGE));
    let deepOverFirst = 1;
    if (deepPage >= 2) {
      const [last] = await collection.find(buildEventFilter(tenantId, filters), { ...options, skip: (deepPage - 1) * PAGE - 1, limit: 1, projection: { occurredAt: 1 } }).toArray();
      const after = { occurredAt: last!.occurredAt, id: (last!._id as ObjectId).toHexString() };
      const first: number[] = [];
      const deep: number[] = [];
      for (let round = 0; round < 7; round++) {
        first.push(await timeMs(() => page()));
        deep.push(await timeMs(() => page(after)));
      }
      deepOverFirst = median(deep) / median(first);
    }
    const keysPerReturned = stats.nReturned > 0 ? stats.totalKeysExamined / stats.nReturned : Number.POSITIVE_INFINITY;
    figures.push({
      pattern: pattern.name,
      index: options.hint,
      keysExamined: stats.totalKeysExamined,
      nReturned: stats.nReturned,
      keysPerReturned,
      sortStage,
      deepPage,
      deepOverFirst,
      met: keysPerReturned <= 1.1 && !sortStage && deepOverFirst <= 1.5,
    });
  }
  return figures;
}
