import { isPlainObject, type PlainDocument } from './update-diff';
import { documentDeletesInProgress } from './document-hooks';
import { plainRecord, readAffectedIds, readBeforeImage, skipsQuery, type HookableSchema, type PluginContext } from './plugin-context';
import { AFTER_VALUES_OPS, idNamedBy, needsNoRead, recordAfterValues } from './after-values';
import { beforeImageFor, beforeImageProjection } from './before-image';
import { type SubjectRules, recordCreated, recordDeleted, recordMultiUpdated, recordReplaced, recordUpdated, recordUpsertInserted, recordMultiRecord } from './change-events';

interface QueryState {
  before?: PlainDocument | null;
  ids?: string[];
  /** `afterValuesOnly`: what is known of the record without its before-image (null: nothing matched). */
  known?: PlainDocument | null;
}
const queryStates = new WeakMap<object, QueryState>();

const REPLACES = new Set(['replaceOne', 'findOneAndReplace']);

/** Query-style writes: one before-image read per single-record write, one id read per multi-record one. */
export function registerQueryHooks(schema: HookableSchema, context: PluginContext): void {
  const queryOnly = { document: false, query: true };

  schema.pre(['updateOne', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace', 'deleteOne'], queryOnly, async function (this: any) {
    if (skipsQuery(this)) return;
    const { sort, session, upsert } = this.getOptions();
    const rules = context.rulesFor(this.model.modelName);
    if (context.options.afterValuesOnly && AFTER_VALUES_OPS.has(this.op) && !upsert && isPlainObject(this.getUpdate())) {
      if (needsNoRead(this.op, this.getFilter(), this.getUpdate(), !!upsert)) return void queryStates.set(this, { known: { _id: idNamedBy(this.getFilter()) } });
      const projection = beforeImageProjection([], rules.nameFields, context.fieldRules);
      return void queryStates.set(this, { known: await readBeforeImage(this.model, { filter: this.getFilter(), projection, sort, session }) });
    }
    const projection = beforeImageFor(this.op, this.getUpdate(), rules, context);
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
    if (state.known !== undefined) return recordWithoutBeforeImage(this, state.known, result, update, rules, context);
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

/** `afterValuesOnly`: the record is known by the filter's `_id`, the record findOneAndUpdate returns, or an `_id`-and-name read. */
function recordWithoutBeforeImage(query: any, known: PlainDocument | null, result: any, update: PlainDocument, rules: SubjectRules, context: PluginContext): void {
  if (known === null || (typeof result?.matchedCount === 'number' && result.matchedCount === 0)) return;
  if (query.op !== 'findOneAndUpdate') return recordAfterValues(context, rules, known, update);
  const returned = result && typeof result === 'object' && 'lastErrorObject' in result ? result.value : result;
  // findOneAndUpdate answers null when nothing matched.
  if (!returned) return;
  recordAfterValues(context, rules, knownFrom(returned, rules.nameFields), update);
}

/** `_id` and the display-name fields of a returned record (hydrated or lean), without copying the rest. */
function knownFrom(record: any, nameFields: readonly string[] | undefined): PlainDocument {
  if (!nameFields) return plainRecord(record);
  const read = (field: string) => (typeof record.get === 'function' ? record.get(field) : record[field]);
  const known: PlainDocument = { _id: read('_id') };
  for (const field of nameFields) known[field] = read(field);
  return known;
}
