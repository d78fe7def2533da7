import { singleRecordCreated, singleRecordUpdated, recordCreated, recordDeleted, recordMultiRecord } from './change-events';
import { type PlainDocument, changesBetweenDocuments } from './update-diff';
import { isAuditCollection, plainRecord, recordSafely, skipsDocument, SNAPSHOT_OPTIONS, type HookableSchema, type PluginContext } from './plugin-context';

/**
 * Some mongoose versions run document.deleteOne() through the query hooks too; the document hook
 * records it (it knows the whole document), the query hook steps aside when it finds the id here.
 */
export const documentDeletesInProgress = new Set<string>();

/** Saves are diffed against a snapshot taken when the document was loaded: no extra read. */
export function registerDocumentHooks(schema: HookableSchema, context: PluginContext): void {
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
    recordSafely(context, pending.isNew ? singleRecordCreated(rules, pending.after, changes) : singleRecordUpdated(rules, pending.before, pending.after, changes));
  });

  schema.pre('deleteOne', { document: true, query: false }, function (this: any) {
    if (!skipsDocument(this)) documentDeletesInProgress.add(String(this._id));
  });
  schema.post('deleteOne', { document: true, query: false }, function (this: any) {
    if (!documentDeletesInProgress.delete(String(this._id))) return;
    recordDeleted(context, context.rulesFor(this.constructor.modelName), this.toObject(SNAPSHOT_OPTIONS));
  });

  schema.post('insertMany', function (this: any, documents: any[]) {
    if (isAuditCollection(this.collection?.name) || !Array.isArray(documents) || documents.length === 0) return;
    const rules = context.rulesFor(this.modelName);
    if (documents.length === 1) return recordCreated(context, rules, plainRecord(documents[0]));
    recordMultiRecord(context, rules, 'created', documents.map((document) => String(document._id)));
  });
}
