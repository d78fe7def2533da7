import type { AuditLog } from '../audit-log';
import { hostDatabase } from '../../server/db/host-database';
import { AUDIT_LOG_COLLECTION_PREFIX } from '../../server/events/event.model';
import { EVENT_LIMITS, type TAuditEventInput } from '../../server/events/event.schema';
import { auditContext } from '../../server/recorder/audit-context';
import { createAffectedRecordsRepository, type AffectedRecordsRepository } from '../../server/events/affected-records.repository';
import {
  boundedAffected,
  defaultDisplayName,
  isSoftDelete,
  multiRecordEvent,
  singleRecordCreated,
  singleRecordDeleted,
  singleRecordUpdated,
  subjectTypeOf,
  type SubjectRules,
} from './change-events';
import type { PlainDocument } from './document-paths';
import { createFieldRules, type FieldRules } from './field-rules';
import { bulkChangesFromUpdate, changesBetweenDocuments, changesForUpdate } from './update-diff';

export interface AuditTrailPluginOptions {
  /** Where events go. Only `record`, `logger` and `connection` are used. */
  auditLog: Pick<AuditLog, 'record' | 'logger' | 'connection'>;
  /** Subject type in events; default: the model name in snake case (`LineItem` → `line_item`). */
  subjectType?: string;
  /** The name a person recognises the record by; default: name, title, email, number… */
  displayName?: (document: PlainDocument) => string | undefined;
  /** Fields never recorded (updatedAt, createdAt, __v and _id always are). */
  ignore?: string[];
  /** Fields recorded as changed but without their values (password-like names always are). */
  redact?: string[];
  /** Field that marks a record deleted (default `removed`); setting it to true records a delete. `false` to turn off. */
  softDeleteField?: string | false;
  /** Where the full id list of large multi-record operations is kept; default: next to the events. */
  affectedRecords?: AffectedRecordsRepository;
}

/** Query option or `doc.$locals.skipAudit = true`: the write is not recorded (the erase tool uses it). */
export const SKIP_AUDIT_OPTION = 'skipAudit';

interface PluginContext {
  options: AuditTrailPluginOptions;
  fieldRules: FieldRules;
  affectedRecords: () => AffectedRecordsRepository;
  rulesFor(modelName: string): SubjectRules;
}

// The hook `this` values differ between mongoose 8 and 9 typings; the plugin relies only on the
// members named here, which both versions have.
type AnyFunction = (this: any, ...args: any[]) => unknown;
interface HookableSchema {
  pre(name: string | string[], optionsOrFn: object | AnyFunction, fn?: AnyFunction): unknown;
  post(name: string | string[], optionsOrFn: object | AnyFunction, fn?: AnyFunction): unknown;
}

/**
 * Mongoose schema plugin (mongoose 8 or 9): records creates, updates with field diffs, deletes and
 * soft deletes. `schema.plugin(auditTrailPlugin, { auditLog })` per model, or
 * `mongoose.plugin(auditTrailPlugin, { auditLog })` for all. Events are queued, never awaited.
 */
export function auditTrailPlugin(schema: unknown, options: AuditTrailPluginOptions): void {
  if (!options?.auditLog) throw new Error('auditTrailPlugin: pass { auditLog } (from createAuditLog) as the plugin options');
  let affected: AffectedRecordsRepository | undefined = options.affectedRecords;
  const context: PluginContext = {
    options,
    fieldRules: createFieldRules({ ignore: options.ignore, redact: options.redact }),
    affectedRecords: () => (affected ??= createAffectedRecordsRepository(hostDatabase(options.auditLog.connection))),
    rulesFor: (modelName) => ({
      subjectType: options.subjectType ?? subjectTypeOf(modelName),
      displayName: options.displayName ?? defaultDisplayName,
      softDeleteField: options.softDeleteField === false ? undefined : (options.softDeleteField ?? 'removed'),
    }),
  };
  registerDocumentHooks(schema as HookableSchema, context);
  registerQueryHooks(schema as HookableSchema, context);
}

const documentDeletesInProgress = new Set<string>();
const SNAPSHOT_OPTIONS = { depopulate: true, virtuals: false, getters: false, transform: false, versionKey: true };

function registerDocumentHooks(schema: HookableSchema, context: PluginContext): void {
  schema.post('init', function (this: any) {
    if (!skipsDocument(this)) this.$locals.auditSnapshot = this.toObject(SNAPSHOT_OPTIONS);
  });

  schema.pre('save', function (this: any) {
    if (skipsDocument(this)) return;
    this.$locals.auditPendingSave = { isNew: this.isNew, before: this.$locals.auditSnapshot ?? {}, after: this.toObject(SNAPSHOT_OPTIONS) };
  });

  // Post hooks run only when the write succeeded: a failed save records nothing.
  schema.post('save', function (this: any) {
    const pending = this.$locals.auditPendingSave as { isNew: boolean; before: PlainDocument; after: PlainDocument } | undefined;
    if (!pending) return;
    delete this.$locals.auditPendingSave;
    this.$locals.auditSnapshot = pending.after;
    const rules = context.rulesFor(this.constructor.modelName);
    const changes = changesBetweenDocuments(pending.before, pending.after, context.fieldRules);
    const event = pending.isNew ? singleRecordCreated(rules, pending.after, changes) : singleRecordUpdated(rules, pending.before, pending.after, changes);
    if (event) recordSafely(context, event);
  });

  // Some mongoose versions run document.deleteOne() through the query hooks too; the document
  // hook records it (it knows the whole document), the query hook steps aside.
  schema.pre('deleteOne', { document: true, query: false }, function (this: any) {
    if (!skipsDocument(this)) documentDeletesInProgress.add(String(this._id));
  });
  schema.post('deleteOne', { document: true, query: false }, function (this: any) {
    if (!documentDeletesInProgress.delete(String(this._id))) return;
    recordSafely(context, singleRecordDeleted(context.rulesFor(this.constructor.modelName), this.toObject(SNAPSHOT_OPTIONS)));
  });

  schema.post('insertMany', function (this: any, documents: any[]) {
    if (isAuditCollection(this.collection?.name) || !Array.isArray(documents) || documents.length === 0) return;
    const rules = context.rulesFor(this.modelName);
    if (documents.length === 1) {
      const created = documents[0].toObject ? documents[0].toObject(SNAPSHOT_OPTIONS) : documents[0];
      return recordSafely(context, singleRecordCreated(rules, created, changesBetweenDocuments({}, created, context.fieldRules)));
    }
    recordMultiRecord(context, rules, 'created', documents.map((document) => String(document._id)));
  });
}

interface QueryState {
  before?: PlainDocument | null;
  ids?: string[];
}
const queryStates = new WeakMap<object, QueryState>();

function registerQueryHooks(schema: HookableSchema, context: PluginContext): void {
  const queryOnly = { document: false, query: true };

  // Before images: one read per single-record query write, ids only for multi-record ones. Document
  // saves need none (the snapshot is taken when the document is loaded).
  schema.pre(['updateOne', 'findOneAndUpdate', 'deleteOne'], queryOnly, async function (this: any) {
    if (skipsQuery(this)) return;
    const sort = this.getOptions().sort;
    const before = await this.model.findOne(this.getFilter()).sort(sort ?? {}).setOptions({ [SKIP_AUDIT_OPTION]: true }).lean();
    queryStates.set(this, { before });
  });
  schema.pre(['updateMany', 'deleteMany'], queryOnly, async function (this: any) {
    if (skipsQuery(this)) return;
    const matches = await this.model.find(this.getFilter()).select('_id').setOptions({ [SKIP_AUDIT_OPTION]: true }).lean();
    queryStates.set(this, { ids: matches.map((match: { _id: unknown }) => String(match._id)) });
  });

  schema.post(['updateOne', 'findOneAndUpdate'], queryOnly, function (this: any, result: any) {
    const before = queryStates.get(this)?.before;
    if (!before || (result && typeof result.matchedCount === 'number' && result.matchedCount === 0)) return;
    const rules = context.rulesFor(this.model.modelName);
    const update = (this.getUpdate() ?? {}) as PlainDocument;
    const changes = changesForUpdate(before, update, context.fieldRules);
    const event = singleRecordUpdated(rules, before, appliedNameFields(before, changes), changes);
    if (event) recordSafely(context, event);
  });

  schema.post('deleteOne', queryOnly, function (this: any, result: any) {
    const before = queryStates.get(this)?.before;
    if (before && documentDeletesInProgress.has(String(before._id))) return;
    if (before && result?.deletedCount !== 0) recordSafely(context, singleRecordDeleted(context.rulesFor(this.model.modelName), before));
  });

  schema.post('findOneAndDelete', queryOnly, function (this: any, deleted: any) {
    if (skipsQuery(this) || !deleted) return;
    const document = typeof deleted.toObject === 'function' ? deleted.toObject(SNAPSHOT_OPTIONS) : deleted;
    recordSafely(context, singleRecordDeleted(context.rulesFor(this.model.modelName), document));
  });

  schema.post(['updateMany', 'deleteMany'], queryOnly, function (this: any, result: any) {
    const ids = queryStates.get(this)?.ids;
    if (!ids || ids.length === 0) return;
    const rules = context.rulesFor(this.model.modelName);
    if (this.op === 'deleteMany') return recordMultiRecord(context, rules, 'deleted', ids.slice(0, result?.deletedCount ?? ids.length));
    if (result?.modifiedCount === 0) return;
    const changes = bulkChangesFromUpdate((this.getUpdate() ?? {}) as PlainDocument, context.fieldRules);
    if (changes.length === 0) return;
    const softDelete = isSoftDelete(rules, changes.map((change) => ({ ...change, before: false })));
    recordMultiRecord(context, rules, softDelete ? 'soft_deleted' : 'edited', ids, changes);
  });
}

/** The display name may itself be what changed; the subject shows the new one. */
function appliedNameFields(before: PlainDocument, changes: ReturnType<typeof changesForUpdate>): PlainDocument {
  const after: PlainDocument = { ...before };
  for (const change of changes) if (!change.field.includes('.') && change.after !== undefined) after[change.field] = change.after;
  return after;
}

function recordMultiRecord(context: PluginContext, rules: SubjectRules, operation: Parameters<typeof multiRecordEvent>[1], ids: string[], changes: ReturnType<typeof bulkChangesFromUpdate> = []): void {
  const listId = ids.length > EVENT_LIMITS.affectedIdsInEvent ? context.affectedRecords().newListId() : undefined;
  const eventId = recordSafely(context, multiRecordEvent(rules, operation, boundedAffected(ids, listId), changes));
  if (!eventId || !listId) return;
  // The tenant is read now, while the request scope is current; the write itself leaves the request path.
  const tenantId = currentTenant();
  if (!tenantId) return;
  setImmediate(() => {
    context
      .affectedRecords()
      .saveList(tenantId, listId, ids)
      .catch((error: unknown) => context.options.auditLog.logger.error({ err: error, listId }, 'audit: could not store the affected record ids'));
  });
}

/** The host's write has already succeeded; a problem with its audit event must not fail it. */
function recordSafely(context: PluginContext, event: TAuditEventInput): string | undefined {
  try {
    return context.options.auditLog.record(event);
  } catch (error) {
    context.options.auditLog.logger.error({ err: error, action: event.action, subject: event.subject }, 'audit: event not recorded');
    return undefined;
  }
}

function currentTenant(): string | undefined {
  return auditContext.current()?.tenantId || undefined;
}

function isAuditCollection(name: string | undefined): boolean {
  return !!name && name.startsWith(AUDIT_LOG_COLLECTION_PREFIX);
}

function skipsDocument(document: any): boolean {
  return !!document.$isSubdocument || !!document.$locals?.[SKIP_AUDIT_OPTION] || isAuditCollection(document.collection?.name);
}

function skipsQuery(query: any): boolean {
  return !!query.getOptions()[SKIP_AUDIT_OPTION] || isAuditCollection(query.model?.collection?.name);
}
