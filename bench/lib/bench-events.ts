import { ObjectId, type Collection } from 'mongodb';
import { BUILT_IN_ACTION_NAMES } from '../../server/events/action-catalog';
import { withoutUndefined } from '../../server/common/without-undefined';
import { toEventDocument, type EventDocument } from '../../server/events/event.document';
import type { TAuditEvent, TAuditEventInput } from '../../server/events/event.schema';

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Radia', 'Tim', 'Frances', 'John', 'Katherine', 'Dennis', 'Hedy', 'Linus'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Perlman', 'Berners-Lee', 'Allen', 'Johnson', 'Ritchie', 'Lamarr', 'Torvalds'];
const SUBJECTS = [
  { type: 'contact', names: ['Jane Cooper', 'Wade Warren', 'Esther Howard', 'Cameron Williamson', 'Brooklyn Simmons'] },
  { type: 'company', names: ['Initech', 'Umbrella Corporation', 'Hooli', 'Globex', 'Vandelay Industries'] },
  { type: 'opportunity', names: ['Annual licence renewal', 'Onboarding package', 'Enterprise upgrade', 'Support contract', 'Pilot project'] },
  { type: 'invoice', names: ['INV-2026-0412', 'INV-2026-0413', 'INV-2026-0588', 'INV-2026-0777', 'INV-2026-0901'] },
  { type: 'discussion', names: ['Renewal terms', 'Kick-off call', 'Pricing question', 'Data migration', 'Contract review'] },
];
const FIELDS = ['stage', 'amount', 'owner', 'phone', 'email', 'status', 'closeDate'];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
];
const DEVICES = ['desktop', 'desktop', 'desktop', 'mobile', 'tablet'] as const;
export const BENCH_ACTORS = 240;
export const BENCH_ACTIONS: readonly string[] = BUILT_IN_ACTION_NAMES;

/** Metadata each built-in action's schema accepts (some require fields). */
function metadataFor(action: string, index: number): Record<string, string | number | string[]> | undefined {
  switch (action) {
    case 'data.erased':
      return { erasedFields: ['email', 'phone'] };
    case 'invoice.posted':
      return { amount: 100 + (index % 900), currency: 'EUR', invoiceNumber: `INV-${index}` };
    case 'user.login_failed':
      return { attemptedIdentity: `user${index % BENCH_ACTORS}@example.com` };
    case 'list.exported':
      return { list: 'contacts', rowCount: index % 5_000, format: 'csv' };
    case 'comment.created':
      return { discussionId: `discussion-${index % 500}` };
    default:
      return undefined;
  }
}

/** The record() input for one realistic event, deterministic in its index. */
export function makeBenchInput(tenantId: string, index: number, occurredAt: Date): TAuditEventInput {
  const actorNumber = (index * 7919) % BENCH_ACTORS;
  const name = `${FIRST_NAMES[actorNumber % FIRST_NAMES.length]} ${LAST_NAMES[Math.floor(actorNumber / FIRST_NAMES.length) % LAST_NAMES.length]}`;
  const action = BENCH_ACTIONS[index % BENCH_ACTIONS.length]!;
  const subjectKind = SUBJECTS[index % SUBJECTS.length]!;
  const subjectNumber = index % 2_000;
  const subjectName = `${subjectKind.names[subjectNumber % subjectKind.names.length]} ${subjectNumber}`;
  const edits = action === 'record.updated' ? (index % 4) + 1 : 0;
  const failed = index % 97 === 0;
  return withoutUndefined({
    tenantId,
    occurredAt,
    actor: { id: `user-${actorNumber}`, name, email: `user${actorNumber}@example.com`, type: 'user' as const, role: actorNumber % 9 === 0 ? 'admin' : 'member' },
    action,
    subject: { type: subjectKind.type, id: `${subjectKind.type}-${subjectNumber}`, name: subjectName },
    description: `${name} ${action.split('.').at(-1)!.replaceAll('_', ' ')} ${subjectKind.type} “${subjectName}”${failed ? ' (failed)' : ''}`,
    changes: Array.from({ length: edits }, (_, n) => ({ field: FIELDS[(index + n) % FIELDS.length]!, before: `old value ${n}`, after: `new value ${index % 1000}` })),
    editCount: edits,
    status: failed ? ('failure' as const) : ('success' as const),
    failureReason: failed ? 'Provider timed out after 30 s' : undefined,
    context: {
      ip: `10.${index % 7}.${index % 251}.${(index % 13) + 1}`,
      sessionId: `session-${actorNumber}-${index % 11}`,
      deviceType: DEVICES[index % DEVICES.length],
      userAgent: USER_AGENTS[index % USER_AGENTS.length],
      requestId: `req-${index}`,
    },
    metadata: metadataFor(action, index),
  });
}

/** The same event complete, as stored (a fresh id): what the raw baselines write. */
export function makeBenchEvent(tenantId: string, index: number, occurredAt: Date): TAuditEvent {
  const input = makeBenchInput(tenantId, index, occurredAt);
  return withoutUndefined({
    ...input,
    id: new ObjectId().toHexString(),
    tenantId,
    occurredAt,
    receivedAt: occurredAt,
    actor: { ...input.actor!, type: 'user' as const },
    changes: input.changes ?? [],
    editCount: input.editCount ?? 0,
    status: input.status ?? 'success',
    context: input.context ?? {},
  }) as TAuditEvent;
}

export const benchTenant = (n: number) => `tenant-${n}`;

export interface SeedBenchOptions {
  tenants: number;
  /** Events in all, spread evenly over the tenants, one second apart per tenant. */
  events: number;
  newest?: Date;
  batchSize?: number;
}

/**
 * Fills `tenants` tenants with realistic events through the driver's insertMany, tenants
 * interleaved (as a shared collection fills in life). Returns how long it took.
 */
export async function seedBenchEvents(collection: Collection<EventDocument>, options: SeedBenchOptions): Promise<{ events: number; ms: number }> {
  const newest = (options.newest ?? new Date('2026-06-30T12:00:00Z')).getTime();
  const batchSize = options.batchSize ?? 2_000;
  const started = Date.now();
  for (let start = 0; start < options.events; start += batchSize) {
    const batch: EventDocument[] = [];
    for (let index = start; index < Math.min(options.events, start + batchSize); index++) {
      const perTenant = Math.floor(index / options.tenants);
      batch.push(toEventDocument(makeBenchEvent(benchTenant(index % options.tenants), perTenant, new Date(newest - perTenant * 1_000)), (hex) => new ObjectId(hex)));
    }
    await collection.insertMany(batch, { ordered: false });
  }
  return { events: options.events, ms: Date.now() - started };
}
