/**
 * The three most installed mongoose audit/history plugins (npm downloads a month when chosen:
 * mongoose-history 7,614, mongoose-patch-history 3,272, mongoose-log-history 2,859), each installed
 * the way its README shows, on the newest mongoose major it runs on. Each lives in its own folder
 * here with its own package.json (installed by `ensurePeerInstalled` at bench time), because each
 * needs a different mongoose than the repository's 9:
 *   mongoose-history 0.8.0       mongoose 6  (it saves history with callbacks: removed in mongoose 7)
 *   mongoose-patch-history 2.0.0 mongoose 5  (its own dependency; `next` callbacks, `nModified`)
 *   mongoose-log-history 1.2.0   mongoose 8  (its peer range)
 */
import { type CaptureAdapter, type CapturedEntry, type CapturedField, jsonOf, NO_CAPTURE } from '../crm-host/capture';

const quietLogger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, log: () => undefined };

/** Top-level values of a stored copy, as after-values (the plugin keeps no before-image). */
function afterValuesOf(values: Record<string, unknown>): CapturedField[] {
  return Object.entries(values)
    .filter(([path, value]) => path !== '_id' && value !== undefined && value !== null)
    .map(([path, value]) => ({ path, after: jsonOf(value), hasBefore: false, hasAfter: true }));
}

export const MONGOOSE_HISTORY: CaptureAdapter = {
  id: 'mongoose-history',
  label: 'mongoose-history 0.8.0',
  folder: 'mongoose-history',
  store: 'contacts_history',
  writes: 'request path',
  install({ schema, connection, requireModule }) {
    schema.plugin(requireModule('mongoose-history'), { historyConnection: connection });
    return NO_CAPTURE;
  },
  // { t, o: 'i' | 'u' | 'r', d }: d is the whole document on save, the update's `$set` (or the update) on a query.
  normalise(stored) {
    const copy = (stored.d ?? {}) as Record<string, unknown>;
    const kinds: Record<string, CapturedEntry['kind']> = { i: 'created', u: 'updated', r: 'deleted' };
    return { recordIds: copy._id ? [String(copy._id)] : [], recordCount: copy._id ? 1 : 0, kind: kinds[String(stored.o)] ?? 'updated', fields: afterValuesOf(copy) };
  },
};

export const MONGOOSE_PATCH_HISTORY: CaptureAdapter = {
  id: 'mongoose-patch-history',
  label: 'mongoose-patch-history 2.0.0',
  folder: 'mongoose-patch-history',
  store: 'contact_patches',
  writes: 'request path',
  install({ schema, connection, requireModule }) {
    schema.plugin(requireModule('mongoose-patch-history').default, { mongoose: connection, name: 'contactPatches' });
    return NO_CAPTURE;
  },
  // { ops: RFC 6902 operations from the last snapshot to now, ref }: after-values only unless trackOriginalValue.
  normalise(stored) {
    const ops = (stored.ops ?? []) as Array<{ op: string; path: string; value?: unknown; originalValue?: unknown }>;
    return {
      recordIds: [String(stored.ref)],
      recordCount: 1,
      // A patch does not say whether it created, changed or (softly) deleted the record.
      kind: 'change',
      fields: ops.map((op) => ({
        path: op.path.replace(/^\//, '').split('/').join('.'),
        after: jsonOf(op.value),
        hasAfter: op.op !== 'remove',
        before: jsonOf(op.originalValue),
        hasBefore: 'originalValue' in op,
      })),
    };
  },
};

const LOG_KINDS: Record<string, CapturedEntry['kind']> = { create: 'created', update: 'updated', delete: 'deleted' };
const TRACKED = ['firstName', 'lastName', 'email', 'phone', 'mobile', 'jobTitle', 'company', 'website', 'stage', 'source', 'owner', 'score', 'notes', 'marketingConsent', 'lastContactedAt', 'nextFollowUpAt', 'segment', 'removed'];
const ADDRESS = ['street', 'city', 'postalCode', 'region', 'country'];

export const MONGOOSE_LOG_HISTORY: CaptureAdapter = {
  id: 'mongoose-log-history',
  label: 'mongoose-log-history 1.2.0',
  folder: 'mongoose-log-history',
  store: 'log_histories_Contact',
  writes: 'request path',
  // It records only the fields it is told to track: every field of the contact, arrays as its README shows.
  install({ schema, connection, requireModule }) {
    schema.plugin(requireModule('mongoose-log-history').changeLoggingPlugin, {
      modelName: 'Contact',
      logConnection: connection,
      logger: quietLogger,
      softDelete: { field: 'removed', value: true },
      trackedFields: [
        ...TRACKED.map((value) => ({ value })),
        ...ADDRESS.map((part) => ({ value: `address.${part}` })),
        { value: 'tags', arrayType: 'simple' },
        { value: 'activity', arrayType: 'custom-key', arrayKey: '_id', trackedFields: [{ value: 'kind' }, { value: 'note' }, { value: 'at' }] },
      ],
    });
    return NO_CAPTURE;
  },
  // { model_id, change_type, logs: [{ field_name, from_value, to_value }], created_by }: values as text.
  normalise(stored) {
    const logs = (stored.logs ?? []) as Array<{ field_name: string; from_value?: unknown; to_value?: unknown }>;
    return {
      recordIds: [String(stored.model_id)],
      recordCount: 1,
      kind: LOG_KINDS[String(stored.change_type)] ?? 'updated',
      fields: logs.map((log) => ({ path: log.field_name, before: log.from_value, after: log.to_value, hasBefore: log.from_value != null, hasAfter: log.to_value != null })),
      actor: stored.created_by == null ? undefined : String(stored.created_by),
    };
  },
};

export const PEER_CAPTURES = [MONGOOSE_HISTORY, MONGOOSE_PATCH_HISTORY, MONGOOSE_LOG_HISTORY] as const;
