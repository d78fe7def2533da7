import type { TChange } from '../../server/events';
import { isSoftDelete, singleRecordCreated, singleRecordDeleted, singleRecordUpdated, type SubjectRules } from './change-events';
import type { PlainDocument } from './document-paths';
import { recordMultiRecord, recordSafely, type PluginContext } from './plugin-context';
import { bulkChangesFromUpdate, changesBetweenDocuments, changesForUpdate } from './update-diff';
import { documentInsertedByUpsert } from './update-effects';

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
