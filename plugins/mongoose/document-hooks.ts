import { singleRecordCreated, singleRecordUpdated, recordCreated, recordDeleted, recordMultiRecord } from './change-events';
import { type PlainDocument, changesBetweenDocuments } from './update-diff';
import { LOADED_IMAGE, modifiedTopLevelFields, savedFields, sharesRawValues } from './loaded-image';
import { isAuditCollection, plainRecord, recordSafely, skipsDocument, SNAPSHOT_OPTIONS, type HookableSchema, type PluginContext } from './plugin-context';

/**
 * Some mongoose versions run document.deleteOne() through the query hooks too; the document hook
 * records it (it knows the whole document), the query hook steps aside when it finds the id here.
 */
export const documentDeletesInProgress = new Set<string>();

/** Between a save's pre and post hooks: a new document whole, or the fields a loaded one's save writes. */
type PendingSave = { created: PlainDocument } | { loaded: PlainDocument; before: PlainDocument; after: PlainDocument };

/**
 * Saves are diffed against what the document was when loaded (loaded-image.ts): no extra read, and
 * no copy when a loaded document is never saved. A save diffs only the fields it writes.
 */
export function registerDocumentHooks(schema: HookableSchema, context: PluginContext): void {
  const copiesAtInit = () => sharesRawValues(schema);
  schema.pre('init', function (this: any, raw: PlainDocument) {
    if (!copiesAtInit() && !skipsDocument(this)) this.$locals[LOADED_IMAGE] = raw;
  });
  schema.post('init', function (this: any) {
    if (copiesAtInit() && !skipsDocument(this)) this.$locals[LOADED_IMAGE] = this.toObject(SNAPSHOT_OPTIONS);
  });

  schema.pre('save', function (this: any) {
    if (skipsDocument(this)) return;
    if (this.isNew) {
      this.$locals.auditPendingSave = { created: this.toObject(SNAPSHOT_OPTIONS) } satisfies PendingSave;
      return;
    }
    const fields = modifiedTopLevelFields(this);
    if (fields.length === 0) return;
    const loaded = (this.$locals[LOADED_IMAGE] ?? {}) as PlainDocument;
    this.$locals.auditPendingSave = { loaded, ...savedFields(this, loaded, fields) } satisfies PendingSave;
  });

  // Post hooks run only when the write succeeded: a failed save records nothing.
  schema.post('save', function (this: any) {
    const pending = this.$locals.auditPendingSave as PendingSave | undefined;
    if (!pending) return;
    delete this.$locals.auditPendingSave;
    const rules = context.rulesFor(this.constructor.modelName);
    if ('created' in pending) {
      this.$locals[LOADED_IMAGE] = pending.created;
      return recordSafely(context, singleRecordCreated(rules, pending.created, changesBetweenDocuments({}, pending.created, context.fieldRules)));
    }
    // The next save of this document diffs against what this one wrote.
    this.$locals[LOADED_IMAGE] = { ...pending.loaded, ...pending.after };
    const changes = changesBetweenDocuments(pending.before, pending.after, context.fieldRules);
    recordSafely(context, singleRecordUpdated(rules, pending.loaded, pending.after, changes));
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
