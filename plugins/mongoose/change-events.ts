import type { TAffectedRecords, TAuditEventInput, TChange } from '../../server/events';
import { EVENT_LIMITS } from '../../server/events/capture';
import { type PlainDocument, bulkChangesFromUpdate, changesBetweenDocuments, changesForUpdate } from './update-diff';
import { recordSafely, type PluginContext } from './plugin-context';
import { documentInsertedByUpsert } from './update-effects';

/**
 * Pure builders: what the plugin saw (a document before and after, or a set of ids) becomes the
 * audit event a person reads. Kept apart from the hooks so they are unit-tested without mongoose.
 */
export interface SubjectRules {
  subjectType: string;
  displayName: (document: PlainDocument) => string | undefined;
  /** The fields `displayName` reads, so a before-image can be read with only those; undefined: unknown (the whole document is read). */
  nameFields?: readonly string[];
  softDeleteField: string | undefined;
}

export function singleRecordCreated(rules: SubjectRules, document: PlainDocument, changes: TChange[]): TAuditEventInput {
  const subject = subjectOf(rules, document);
  return { action: 'record.created', subject, description: `Created ${rules.subjectType} ${label(subject)}`, changes };
}

/** An update, or a delete when it flips the soft-delete flag on. Undefined when nothing a person edits changed. */
export function singleRecordUpdated(rules: SubjectRules, before: PlainDocument, after: PlainDocument, changes: TChange[]): TAuditEventInput | undefined {
  if (changes.length === 0) return undefined;
  const subject = subjectOf(rules, { ...before, ...after });
  if (isSoftDelete(rules, changes)) {
    return { action: 'record.deleted', subject, description: `Deleted ${rules.subjectType} ${label(subject)} (soft delete)`, changes, metadata: { soft: true } };
  }
  const fields = changes.map((change) => change.field);
  return { action: 'record.updated', subject, description: `Updated ${rules.subjectType} ${label(subject)}: ${listFields(fields)}`, changes };
}

export function singleRecordDeleted(rules: SubjectRules, document: PlainDocument): TAuditEventInput {
  const subject = subjectOf(rules, document);
  return { action: 'record.deleted', subject, description: `Deleted ${rules.subjectType} ${label(subject)}`, metadata: { soft: false } };
}

export type BulkOperation = 'created' | 'edited' | 'deleted' | 'soft_deleted';

/** One parent event for a multi-record operation, however many records it touched. */
export function multiRecordEvent(
  rules: SubjectRules,
  operation: BulkOperation,
  affected: TAffectedRecords,
  changes: TChange[] = [],
): TAuditEventInput {
  const records = `${affected.count} ${rules.subjectType} record${affected.count === 1 ? '' : 's'}`;
  const subject = { type: rules.subjectType, id: '*', name: records };
  const fields = changes.map((change) => change.field);
  switch (operation) {
    case 'created':
      return { action: 'record.created', subject, description: `Created ${records}`, affected, editCount: affected.count };
    case 'deleted':
      return { action: 'record.deleted', subject, description: `Deleted ${records}`, affected, metadata: { soft: false }, editCount: affected.count };
    case 'soft_deleted':
      return { action: 'record.deleted', subject, description: `Deleted ${records} (soft delete)`, affected, changes, metadata: { soft: true }, editCount: affected.count };
    case 'edited':
      return {
        action: 'records.bulk_edited',
        subject,
        description: `Bulk-edited ${records}: ${listFields(fields)}`,
        affected,
        changes,
        editCount: affected.count * Math.max(1, changes.length),
        metadata: { fields },
      };
  }
}

export function isSoftDelete(rules: SubjectRules, changes: readonly TChange[]): boolean {
  if (!rules.softDeleteField) return false;
  return changes.some((change) => change.field === rules.softDeleteField && change.after === true && change.before !== true);
}

export function subjectOf(rules: SubjectRules, document: PlainDocument): { type: string; id: string; name?: string } {
  const name = rules.displayName(document)?.slice(0, 300);
  const id = String(document._id ?? document.id ?? 'unknown');
  return name ? { type: rules.subjectType, id, name } : { type: rules.subjectType, id };
}

export const DEFAULT_NAME_FIELDS = ['name', 'title', 'fullName', 'displayName', 'email', 'number', 'subject'] as const;

export function defaultDisplayName(document: PlainDocument): string | undefined {
  for (const key of DEFAULT_NAME_FIELDS) {
    const value = document[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

/** `LineItem` → `line_item`: subject types read like the rest of the log. */
export function subjectTypeOf(modelName: string): string {
  return modelName.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function label(subject: { id: string; name?: string }): string {
  return subject.name ? `"${subject.name}"` : subject.id;
}

function listFields(fields: readonly string[]): string {
  const shown = fields.slice(0, 10).join(', ');
  return fields.length > 10 ? `${shown} and ${fields.length - 10} more` : shown;
}

/**
 * One write the plugin saw, as the events a person reads. Query hooks and bulkWrite hooks both end
 * here, so a bulkWrite operation gives the same events as the equivalent single call.
 */
export function recordCreated(context: PluginContext, rules: SubjectRules, created: PlainDocument): void {
  recordSafely(context, singleRecordCreated(rules, created, changesBetweenDocuments({}, created, context.fieldRules)));
}

export function recordUpdated(context: PluginContext, rules: SubjectRules, before: PlainDocument, update: PlainDocument): void {
  const changes = changesForUpdate(before, update, context.fieldRules);
  recordSafely(context, singleRecordUpdated(rules, before, appliedNameFields(before, changes), changes));
}

/** A replace is an update whose after-image is the replacement: fields it leaves out are removed. */
export function recordReplaced(context: PluginContext, rules: SubjectRules, before: PlainDocument, replacement: PlainDocument): void {
  const after = { ...replacement, _id: before._id };
  recordSafely(context, singleRecordUpdated(rules, before, after, changesBetweenDocuments(before, after, context.fieldRules)));
}

export function recordUpsertInserted(context: PluginContext, rules: SubjectRules, write: { filter: PlainDocument; update: PlainDocument; insertedId: unknown; replacement?: boolean }): void {
  recordCreated(context, rules, documentInsertedByUpsert(write.filter, write.update, write.insertedId, write.replacement));
}

export function recordDeleted(context: PluginContext, rules: SubjectRules, deleted: PlainDocument): void {
  recordSafely(context, singleRecordDeleted(rules, deleted));
}

/** `ids`: the records the update changes (read with `readAffectedIds`). */
export function recordMultiUpdated(context: PluginContext, rules: SubjectRules, ids: string[], update: PlainDocument): void {
  if (ids.length === 0) return;
  const changes = bulkChangesFromUpdate(update, context.fieldRules);
  if (changes.length === 0) return;
  const softDelete = isSoftDelete(rules, changes.map((change) => ({ ...change, before: false })));
  recordMultiRecord(context, rules, softDelete ? 'soft_deleted' : 'edited', ids, changes);
}

/** The display name may itself be what changed; the subject shows the new one. */
function appliedNameFields(before: PlainDocument, changes: readonly TChange[]): PlainDocument {
  const after: PlainDocument = { ...before };
  for (const change of changes) if (!change.field.includes('.') && change.after !== undefined) after[change.field] = change.after;
  return after;
}

export function recordMultiRecord(context: PluginContext, rules: SubjectRules, operation: BulkOperation, ids: string[], changes: TChange[] = []): void {
  const affected = { count: ids.length, ids: ids.slice(0, EVENT_LIMITS.affectedIdsInEvent) };
  recordSafely(context, multiRecordEvent(rules, operation, affected, changes), ids);
}
