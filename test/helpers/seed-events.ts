import { ObjectId, type Collection } from 'mongodb';
import { toEventDocument, type EventDocument } from '../../server/events/event.document';
import type { TAuditEvent } from '../../server/events/event.schema';

export interface SeedOptions {
  tenantId: string;
  count: number;
  /** Time of the newest event; each older one is `stepMs` earlier. */
  newest?: Date;
  stepMs?: number;
  actions?: string[];
  batchSize?: number;
  /** Changes the generated event before it is stored. */
  customise?: (event: TAuditEvent, index: number) => TAuditEvent;
}

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Radia', 'Tim', 'Frances', 'John'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Perlman', 'Berners-Lee'];
const SUBJECT_TYPES = ['contact', 'company', 'opportunity', 'invoice', 'discussion'];
const DEVICES = ['desktop', 'desktop', 'desktop', 'mobile', 'tablet'] as const;
const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
];

/** Realistic events, generated deterministically from their index (no randomness: tests repeat). */
export function makeSeedEvent(tenantId: string, index: number, occurredAt: Date, actions: string[]): TAuditEvent {
  const actorNumber = index % 37;
  const name = `${FIRST_NAMES[actorNumber % FIRST_NAMES.length]} ${LAST_NAMES[actorNumber % LAST_NAMES.length]}`;
  const subjectType = SUBJECT_TYPES[index % SUBJECT_TYPES.length]!;
  const action = actions[index % actions.length]!;
  const edits = action === 'record.updated' ? (index % 4) + 1 : 0;
  return {
    id: new ObjectId().toHexString(),
    tenantId,
    occurredAt,
    receivedAt: occurredAt,
    actor: { id: `user-${actorNumber}`, name, email: `user${actorNumber}@example.com`, type: 'user', role: actorNumber % 5 === 0 ? 'admin' : 'member' },
    action,
    subject: { type: subjectType, id: `${subjectType}-${index % 5_000}`, name: `${subjectType[0]!.toUpperCase()}${subjectType.slice(1)} ${index % 5_000}` },
    description: `${name} ${action.split('.')[1]!.replace('_', ' ')} ${subjectType} ${index % 5_000}`,
    changes: Array.from({ length: edits }, (_, n) => ({ field: ['stage', 'amount', 'owner', 'phone'][n]!, before: n * 10, after: n * 10 + 5 })),
    editCount: edits,
    status: index % 97 === 0 ? 'failure' : 'success',
    failureReason: index % 97 === 0 ? 'Provider timed out' : undefined,
    context: {
      ip: `10.${index % 7}.${index % 251}.${(index % 13) + 1}`,
      sessionId: `session-${index % 400}`,
      deviceType: DEVICES[index % DEVICES.length],
      userAgent: BROWSERS[index % BROWSERS.length],
      requestId: `req-${index}`,
    },
  };
}

/** Writes events straight through the driver, in batches: as fast as the server allows. */
export async function seedEvents(collection: Collection<EventDocument>, options: SeedOptions): Promise<void> {
  const newest = (options.newest ?? new Date('2026-06-30T12:00:00Z')).getTime();
  const stepMs = options.stepMs ?? 1_000;
  const actions = options.actions ?? ['record.updated', 'record.viewed', 'record.created', 'comment.created', 'record.deleted'];
  const batchSize = options.batchSize ?? 5_000;
  for (let start = 0; start < options.count; start += batchSize) {
    const batch: EventDocument[] = [];
    for (let index = start; index < Math.min(options.count, start + batchSize); index++) {
      const event = makeSeedEvent(options.tenantId, index, new Date(newest - index * stepMs), actions);
      batch.push(toEventDocument(options.customise ? options.customise(event, index) : event, (hex) => new ObjectId(hex)));
    }
    await collection.insertMany(batch, { ordered: false });
  }
}
