import { auditContext } from '../../server/request-scope';
import type { PlainDocument } from './update-diff';
import { isAuditCollection, plainRecord, readAffectedIds, readBeforeImage, SKIP_AUDIT_OPTION, type HookableSchema, type PluginContext } from './plugin-context';
import { beforeImageFor } from './before-image';
import { recordCreated, recordDeleted, recordMultiUpdated, recordReplaced, recordUpdated, recordUpsertInserted, recordMultiRecord } from './change-events';

/** What the plugin read before one operation of a bulkWrite ran. */
type OperationPlan = { kind: OperationKind; before?: PlainDocument | null; ids?: string[] };
interface PendingBulkWrite {
  operations: any[];
  plans: OperationPlan[];
  ordered: boolean;
}

/** A bulkWrite that never reaches its post hook (it failed casting) leaves its entry behind; this bounds them. */
const MAX_PENDING_PER_MODEL = 50;

/**
 * Model.bulkWrite: each operation gives the events its single-call equivalent gives, and only when
 * it succeeded. Mongoose hands the pre hook the operations and the post hook only the result, so
 * the two are paired through the request's audit scope (see `takePending`).
 */
export function registerBulkWriteHooks(schema: HookableSchema, context: PluginContext): void {
  const pendingByScope = new WeakMap<object, Map<object, PendingBulkWrite[]>>();
  const outsideAnyScope = {};
  const pendingFor = (model: object): PendingBulkWrite[] => {
    const scope = auditContext.current() ?? outsideAnyScope;
    const byModel = pendingByScope.get(scope) ?? new Map<object, PendingBulkWrite[]>();
    pendingByScope.set(scope, byModel);
    const pending = byModel.get(model) ?? [];
    byModel.set(model, pending);
    return pending;
  };

  // Three parameters: mongoose 8 passes (next, operations, options), mongoose 9 (operations, options).
  schema.pre('bulkWrite', async function (this: any, first: unknown, second: unknown, third: unknown) {
    const [operations, options] = (typeof first === 'function' ? [second, third] : [first, second]) as [unknown, { ordered?: boolean } | undefined];
    if (!Array.isArray(operations) || operations.length === 0) return;
    if ((options as Record<string, unknown> | undefined)?.[SKIP_AUDIT_OPTION] || isAuditCollection(this.collection?.name)) return;
    const plans = await Promise.all(operations.map((operation) => planOperation(this, operation, context)));
    const pending = pendingFor(this);
    pending.push({ operations, plans, ordered: options?.ordered !== false });
    if (pending.length > MAX_PENDING_PER_MODEL) pending.shift();
  });

  schema.post('bulkWrite', function (this: any, result: unknown) {
    finishBulkWrite(this, bulkWriteOutcome(result, undefined));
  });
  // Error handler (three parameters): an unordered bulkWrite can fail in part.
  schema.post('bulkWrite', function (this: any, error: unknown, _result: unknown, next: () => void) {
    finishBulkWrite(this, bulkWriteOutcome(undefined, error));
    next();
  });

  function finishBulkWrite(model: any, outcome: BulkWriteOutcome): void {
    const entry = takePending(pendingFor(model), outcome);
    if (!entry) return;
    if (outcome.unknown) {
      context.options.auditLog.logger.warn({ model: model.modelName, operations: entry.operations.length }, 'audit: bulkWrite failed without per-operation results; none of its operations recorded');
      return;
    }
    const rules = context.rulesFor(model.modelName);
    const matchedNothing = (index: number) => entry.plans[index]?.before === null || entry.plans[index]?.ids?.length === 0;
    const upserted = upsertedIdsByOperation(entry.operations, matchedNothing, outcome.upsertedIds);
    entry.operations.forEach((operation, index) => {
      if (!outcome.succeeded(index, entry.ordered)) return;
      const plan = entry.plans[index]!;
      const body = operation[plan.kind] ?? {};
      switch (plan.kind) {
        case 'insertOne':
          return recordCreated(context, rules, plainRecord(body.document));
        case 'updateOne':
        case 'replaceOne': {
          const update = plainRecord(plan.kind === 'replaceOne' ? body.replacement : body.update);
          if (plan.before) return plan.kind === 'replaceOne' ? recordReplaced(context, rules, plan.before, update) : recordUpdated(context, rules, plan.before, update);
          const insertedId = upserted.get(index);
          if (insertedId !== undefined) recordUpsertInserted(context, rules, { filter: body.filter ?? {}, update, insertedId, replacement: plan.kind === 'replaceOne' });
          return;
        }
        case 'updateMany': {
          const update = plainRecord(body.update);
          recordMultiUpdated(context, rules, plan.ids ?? [], update);
          const insertedId = upserted.get(index);
          if (insertedId !== undefined) recordUpsertInserted(context, rules, { filter: body.filter ?? {}, update, insertedId });
          return;
        }
        case 'deleteOne':
          if (plan.before) recordDeleted(context, rules, plan.before);
          return;
        case 'deleteMany':
          if (plan.ids?.length) recordMultiRecord(context, rules, 'deleted', plan.ids);
          return;
        default:
          return;
      }
    });
  }
}

/** The same reads the single calls make: a before image per single-record operation, ids per multi-record one. */
async function planOperation(model: any, operation: any, context: PluginContext): Promise<OperationPlan> {
  const kind = operationKind(operation);
  const body = kind ? operation[kind] : undefined;
  switch (kind) {
    case 'updateOne':
    case 'replaceOne':
    case 'deleteOne': {
      const projection = beforeImageFor(kind, kind === 'updateOne' ? body?.update : undefined, context.rulesFor(model.modelName), context);
      return { kind, before: await readBeforeImage(model, { filter: body?.filter ?? {}, projection }) };
    }
    case 'updateMany':
      return { kind, ids: await readAffectedIds(model, body?.filter ?? {}, body?.update ?? {}, context.fieldRules) };
    case 'deleteMany':
      return { kind, ids: await readAffectedIds(model, body?.filter ?? {}, undefined, context.fieldRules) };
    default:
      return { kind: kind ?? 'unknown' };
  }
}

/**
 * The pending bulkWrite a result belongs to, among those of the same model in the same request
 * scope: the one whose inserted ids the result reports, else the newest (calls made one after the
 * other, the usual case, always pair exactly; see docs/HOOKS.md for concurrent calls).
 */
function takePending(pending: PendingBulkWrite[], outcome: BulkWriteOutcome): PendingBulkWrite | undefined {
  if (pending.length === 0) return undefined;
  const inserted = new Set(outcome.insertedIds);
  let index = inserted.size === 0 ? -1 : pending.findLastIndex((entry) => entry.operations.some((operation) => inserted.has(String(operation?.insertOne?.document?._id))));
  if (index < 0) index = pending.length - 1;
  return pending.splice(index, 1)[0];
}

/**
 * Which operations of a bulkWrite took effect, read from what mongoose hands the post hooks: the
 * result, or the error of a bulkWrite that failed in part. Pure: unit-tested without a database.
 */
export const OPERATION_KINDS = ['insertOne', 'updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number] | 'unknown';

export function operationKind(operation: unknown): Exclude<OperationKind, 'unknown'> | undefined {
  if (!operation || typeof operation !== 'object') return undefined;
  return OPERATION_KINDS.find((kind) => kind in operation);
}

export interface BulkWriteOutcome {
  /** The write failed and nothing tells which operations were applied (a network error, a write concern error). */
  unknown: boolean;
  insertedIds: string[];
  /** Operation index → id of the record an upsert inserted, as the driver reports it. */
  upsertedIds: Record<string, unknown>;
  succeeded(index: number, ordered: boolean): boolean;
}

interface ResultLike {
  insertedIds?: Record<string, unknown>;
  upsertedIds?: Record<string, unknown>;
  /** Set by mongoose when some operations failed validation: per operation, its error or null. */
  mongoose?: { results?: unknown[] };
}
interface ErrorLike extends ResultLike {
  result?: ResultLike;
  writeErrors?: Array<{ index?: number }> | { index?: number };
}

export function bulkWriteOutcome(result: unknown, error: unknown): BulkWriteOutcome {
  const failure = error as ErrorLike | undefined;
  const counts = ((failure ? failure.result : result) ?? {}) as ResultLike;
  const perOperation = (failure ?? (result as ResultLike | undefined))?.mongoose?.results;
  const base = {
    insertedIds: Object.values(counts.insertedIds ?? {}).map(String),
    upsertedIds: counts.upsertedIds ?? {},
  };
  if (Array.isArray(perOperation)) return { ...base, unknown: false, succeeded: (index) => perOperation[index] == null };
  if (!failure) return { ...base, unknown: false, succeeded: () => true };
  const writeErrors = [failure.writeErrors ?? []].flat();
  const failedIndexes = new Set(writeErrors.map((writeError) => writeError.index).filter((index): index is number => typeof index === 'number'));
  if (failedIndexes.size === 0) return { ...base, unknown: true, succeeded: () => false };
  const firstFailure = Math.min(...failedIndexes);
  // Ordered: the server stops at the first error; unordered: it runs every other operation.
  return { ...base, unknown: false, succeeded: (index, ordered) => (ordered ? index < firstFailure : !failedIndexes.has(index)) };
}

/**
 * Pairs the upserted ids with the upsert operations that matched nothing. MongoDB keys them by
 * operation index; FerretDB v1 numbers them otherwise, so when the keys do not name such
 * operations, ids and operations are paired in order.
 */
export function upsertedIdsByOperation(operations: readonly unknown[], matchedNothing: (index: number) => boolean, upsertedIds: Record<string, unknown>): Map<number, unknown> {
  const keys = Object.keys(upsertedIds).map(Number).filter(Number.isInteger).sort((left, right) => left - right);
  const candidates = operations.flatMap((operation, index) => (isUpsert(operation) && matchedNothing(index) ? [index] : []));
  const paired = new Map<number, unknown>();
  if (keys.every((key) => candidates.includes(key))) {
    for (const key of keys) paired.set(key, upsertedIds[key]);
    return paired;
  }
  keys.slice(0, candidates.length).forEach((key, position) => paired.set(candidates[position]!, upsertedIds[key]));
  return paired;
}

function isUpsert(operation: unknown): boolean {
  const kind = operationKind(operation);
  if (kind !== 'updateOne' && kind !== 'updateMany' && kind !== 'replaceOne') return false;
  return (operation as Record<string, { upsert?: unknown }>)[kind]?.upsert === true;
}
