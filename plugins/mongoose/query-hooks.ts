import type { PlainDocument } from './update-diff';
import { documentDeletesInProgress } from './document-hooks';
import { plainRecord, readAffectedIds, readBeforeImage, skipsQuery, type HookableSchema, type PluginContext } from './plugin-context';
import { beforeImageFor } from './before-image';
import { recordCreated, recordDeleted, recordMultiUpdated, recordReplaced, recordUpdated, recordUpsertInserted, recordMultiRecord } from './change-events';

interface QueryState {
  before?: PlainDocument | null;
  ids?: string[];
}
const queryStates = new WeakMap<object, QueryState>();

const REPLACES = new Set(['replaceOne', 'findOneAndReplace']);

/** Query-style writes: one before-image read per single-record write, one id read per multi-record one. */
export function registerQueryHooks(schema: HookableSchema, context: PluginContext): void {
  const queryOnly = { document: false, query: true };

  schema.pre(['updateOne', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace', 'deleteOne'], queryOnly, async function (this: any) {
    if (skipsQuery(this)) return;
    const { sort, session } = this.getOptions();
    const projection = beforeImageFor(this.op, this.getUpdate(), context.rulesFor(this.model.modelName), context);
    queryStates.set(this, { before: await readBeforeImage(this.model, { filter: this.getFilter(), projection, sort, session }) });
  });
  schema.pre(['updateMany', 'deleteMany'], queryOnly, async function (this: any) {
    if (skipsQuery(this)) return;
    const update = this.op === 'updateMany' ? ((this.getUpdate() ?? {}) as PlainDocument) : undefined;
    queryStates.set(this, { ids: await readAffectedIds(this.model, this.getFilter(), update, context.fieldRules) });
  });

  schema.post(['updateOne', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace'], queryOnly, async function (this: any, result: any) {
    const state = queryStates.get(this);
    if (!state) return;
    const rules = context.rulesFor(this.model.modelName);
    const replace = REPLACES.has(this.op);
    const update = plainRecord(this.getUpdate());
    if (state.before) {
      if (typeof result?.matchedCount === 'number' && result.matchedCount === 0) return;
      return replace ? recordReplaced(context, rules, state.before, update) : recordUpdated(context, rules, state.before, update);
    }
    if (!this.getOptions().upsert) return;
    // An upsert that matched nothing created the record.
    if (typeof result?.upsertedCount === 'number') {
      if (result.upsertedId != null) recordUpsertInserted(context, rules, { filter: this.getFilter(), update, insertedId: result.upsertedId, replacement: replace });
      return;
    }
    const created = await upsertedByFindOneAnd(this, result);
    if (created) recordCreated(context, rules, created);
  });

  schema.post('deleteOne', queryOnly, function (this: any, result: any) {
    const before = queryStates.get(this)?.before;
    if (before && documentDeletesInProgress.has(String(before._id))) return;
    if (before && result?.deletedCount !== 0) recordDeleted(context, context.rulesFor(this.model.modelName), before);
  });

  schema.post('findOneAndDelete', queryOnly, function (this: any, deleted: any) {
    if (skipsQuery(this) || !deleted) return;
    recordDeleted(context, context.rulesFor(this.model.modelName), plainRecord(deleted));
  });

  schema.post(['updateMany', 'deleteMany'], queryOnly, function (this: any, result: any) {
    const ids = queryStates.get(this)?.ids;
    if (!ids) return;
    const rules = context.rulesFor(this.model.modelName);
    if (this.op === 'deleteMany') {
      if (ids.length > 0) recordMultiRecord(context, rules, 'deleted', ids.slice(0, result?.deletedCount ?? ids.length));
      return;
    }
    const update = plainRecord(this.getUpdate());
    if (result?.modifiedCount !== 0) recordMultiUpdated(context, rules, ids, update);
    if (result?.upsertedId != null) recordUpsertInserted(context, rules, { filter: this.getFilter(), update, insertedId: result.upsertedId });
  });
}

/**
 * findOneAndUpdate/Replace returns the created record when asked for the new one; with the old one
 * (null for an insert) or raw result metadata, the record is read once after the write.
 */
async function upsertedByFindOneAnd(query: any, result: any): Promise<PlainDocument | null> {
  const withMetadata = !!result && typeof result === 'object' && 'lastErrorObject' in result;
  if (withMetadata && result.lastErrorObject?.updatedExisting) return null;
  const returned = withMetadata ? result.value : result;
  if (returned) return plainRecord(returned);
  // The same one-record read as a before image, made after the write: it finds the inserted record.
  const { sort, session } = query.getOptions();
  return readBeforeImage(query.model, { filter: query.getFilter(), sort, session });
}

