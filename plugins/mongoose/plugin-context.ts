import type { Logger } from 'pino';
import type { TAuditEventInput } from '../../server/events';
import { AUDIT_LOG_COLLECTION_PREFIX } from '../../server/events/capture';
import type { AuditTrailPluginOptions } from './audit-trail.plugin';
import type { SubjectRules } from './change-events';
import type { PlainDocument } from './update-diff';
import type { FieldRules } from './field-rules';
import type { BeforeImageRead } from './before-image';
import { changingRecordsFilter, wouldChangeCondition } from './update-effects';

/**
 * Where the plugin's events go: the port it writes through (createAuditLog's `plugin` binds it to
 * the recorder). `record` never throws into the host's write: an event it cannot keep it counts and
 * logs, and answers undefined. For a multi-record write it gets every affected id; the event holds
 * the first 100, and the rest is kept beside it under the event's tenant.
 */
export interface AuditTrailSink {
  record(event: TAuditEventInput, affectedIds?: readonly string[]): string | undefined;
  logger: Pick<Logger, 'error' | 'warn'>;
  /**
   * Durable mode: a promise that resolves once the events recorded so far are safe (on disk or
   * stored) and rejects when they could not be made so; undefined when nothing is waiting. The
   * plugin returns it from its post hooks, so the host's write resolves only with its event safe.
   */
  durable?(): Promise<void> | undefined;
}

/** What every hook of one plugin application shares: the host's options, turned into rules. */
export interface PluginContext {
  options: AuditTrailPluginOptions;
  fieldRules: FieldRules;
  rulesFor(modelName: string): SubjectRules;
}

/** Query option or `doc.$locals.skipAudit = true`: the write is not recorded (the erase tool uses it). */
export const SKIP_AUDIT_OPTION = 'skipAudit';

export const SNAPSHOT_OPTIONS = { depopulate: true, virtuals: false, getters: false, transform: false, versionKey: true };

// The hook `this` values differ between mongoose 8 and 9 typings; the plugin relies only on the
// members named here, which both versions have.
export type AnyFunction = (this: any, ...args: any[]) => unknown;
export interface HookableSchema {
  pre(name: string | string[], optionsOrFn: object | AnyFunction, fn?: AnyFunction): unknown;
  post(name: string | string[], optionsOrFn: object | AnyFunction, fn?: AnyFunction): unknown;
}

/**
 * The one read of a record as it is before a write, with the fields `read.projection` names (see
 * before-image.ts) or, without one, the whole record; `select: false` fields stay unread either way.
 */
export async function readBeforeImage(model: any, read: BeforeImageRead): Promise<PlainDocument | null> {
  const query = model.findOne(read.filter).sort(read.sort ?? {}).setOptions({ [SKIP_AUDIT_OPTION]: true });
  if (read.projection) query.select(read.projection);
  if (read.session) query.session(read.session);
  return query.lean();
}

/**
 * Ids only, in one round trip: the records a multi-record write will change. For an update, the
 * filter is narrowed to records the update really changes (see `wouldChangeCondition`); no read at
 * all when it changes no recorded field. The driver's first batch holds 101 documents, and FerretDB's
 * getMores about 300: 1,000 ids took four round trips. One batch of ids is about 30 bytes each, so
 * this batch size stays far below a reply's 16 MiB; past it the server splits the reply itself.
 */
export const AFFECTED_IDS_BATCH_SIZE = 100_000;

export async function readAffectedIds(model: any, filter: PlainDocument, update: PlainDocument | undefined, rules: FieldRules): Promise<string[]> {
  const wouldChange = update ? wouldChangeCondition(update, rules) : ({ kind: 'every_match' } as const);
  if (wouldChange.kind === 'nothing') return [];
  const matches = await model.find(changingRecordsFilter(filter, wouldChange)).select('_id').batchSize(AFFECTED_IDS_BATCH_SIZE).setOptions({ [SKIP_AUDIT_OPTION]: true }).lean();
  return matches.map((match: { _id: unknown }) => String(match._id));
}

/** The host's write has already succeeded; a problem with its audit event must not fail it. */
export function recordSafely(context: PluginContext, event: TAuditEventInput | undefined, affectedIds?: readonly string[]): string | undefined {
  if (!event) return undefined;
  try {
    return context.options.auditLog.record(event, affectedIds);
  } catch (error) {
    context.options.auditLog.logger.error({ err: error, action: event.action, subject: event.subject }, 'audit: event not recorded');
    return undefined;
  }
}

export function isAuditCollection(name: string | undefined): boolean {
  return !!name && name.startsWith(AUDIT_LOG_COLLECTION_PREFIX);
}

export function skipsDocument(document: any): boolean {
  return !!document.$isSubdocument || !!document.$locals?.[SKIP_AUDIT_OPTION] || isAuditCollection(document.collection?.name);
}

export function skipsQuery(query: any): boolean {
  return !!query.getOptions()[SKIP_AUDIT_OPTION] || isAuditCollection(query.model?.collection?.name);
}

/** A mongoose document or a plain object, as the plain object the diff works on. */
export function plainRecord(value: unknown): PlainDocument {
  const record = value as { toObject?: (options: object) => PlainDocument } | null | undefined;
  if (typeof record?.toObject === 'function') return record.toObject(SNAPSHOT_OPTIONS);
  return (record ?? {}) as PlainDocument;
}
