import { registerBulkWriteHooks } from './bulk-write-hooks';
import { DEFAULT_NAME_FIELDS, defaultDisplayName, subjectTypeOf } from './change-events';
import type { PlainDocument } from './update-diff';
import { registerDocumentHooks } from './document-hooks';
import { registerDurableHooks } from './durable-hooks';
import { createFieldRules, selectHiddenPaths } from './field-rules';
import type { AuditTrailSink, HookableSchema, PluginContext } from './plugin-context';
import { registerQueryHooks } from './query-hooks';

export { SKIP_AUDIT_OPTION, type AuditTrailSink } from './plugin-context';

export interface AuditTrailPluginOptions {
  /** Where events go; `createAuditLog`'s `plugin` binds it (`schema.plugin(auditLog.plugin, options)`). */
  auditLog: AuditTrailSink;
  /** Subject type in events; default: the model name in snake case (`LineItem` → `line_item`). */
  subjectType?: string;
  /** The name a person recognises the record by; default: name, title, email, number… */
  displayName?: (document: PlainDocument) => string | undefined;
  /**
   * The fields a custom `displayName` reads. A query-style update reads the record before it with
   * only the fields it writes and these; without them (and with a custom `displayName`) it reads the whole record.
   */
  displayNameFields?: string[];
  /** Fields never recorded (updatedAt, createdAt, __v and _id always are). */
  ignore?: string[];
  /** Fields recorded as changed but without their values (secret-like names and `select: false` fields always are). */
  redact?: string[];
  /**
   * Record query-style single-record updates (`updateOne`, `findOneAndUpdate`, not upserts) with
   * after-values only, without reading the record first: for hosts that prefer speed to full diffs.
   * What it gives up: see docs/HOOKS.md ("After-values only").
   */
  afterValuesOnly?: boolean;
  /** Field that marks a record deleted (default `removed`); setting it to true records a delete. `false` to turn off. */
  softDeleteField?: string | false;
}

/**
 * Marks a schema the plugin is already on. Mongoose runs `schema.plugin()` at once and
 * `mongoose.plugin()` (global) only when the model is compiled, so the per-model call comes first:
 * it wins, and the global one steps aside instead of recording every write twice. `Symbol.for`, so
 * two copies of this package agree. (Mongoose's own `deduplicate` would drop the per-model options.)
 */
const APPLIED = Symbol.for('crm-audit-log.auditTrailPlugin.applied');

/**
 * Mongoose schema plugin (mongoose 8 or 9): records creates, updates with field diffs, replaces,
 * upserts, deletes, soft deletes and bulkWrite operations. `schema.plugin(auditTrailPlugin, { auditLog })`
 * per model, or `mongoose.plugin(auditTrailPlugin, { auditLog })` for all. Events are queued; in durable
 * mode the host's call also waits for them to be on disk (see durable-hooks.ts).
 */
export function auditTrailPlugin(schema: unknown, options: AuditTrailPluginOptions): void {
  if (!options?.auditLog) throw new Error('auditTrailPlugin: pass { auditLog } (from createAuditLog) as the plugin options');
  const marked = schema as { [APPLIED]?: true };
  if (marked[APPLIED]) return;
  marked[APPLIED] = true;
  const context = createPluginContext(schema, options);
  registerDocumentHooks(schema as HookableSchema, context);
  registerQueryHooks(schema as HookableSchema, context);
  registerBulkWriteHooks(schema as HookableSchema, context);
  // Last, so it runs after the hooks that record.
  registerDurableHooks(schema as HookableSchema, context);
}

function createPluginContext(schema: unknown, options: AuditTrailPluginOptions): PluginContext {
  return {
    options,
    fieldRules: createFieldRules({ ignore: options.ignore, redact: options.redact, hiddenPaths: () => selectHiddenPaths(schema) }),
    rulesFor: (modelName) => ({
      subjectType: options.subjectType ?? subjectTypeOf(modelName),
      displayName: options.displayName ?? defaultDisplayName,
      nameFields: options.displayName ? options.displayNameFields : DEFAULT_NAME_FIELDS,
      softDeleteField: options.softDeleteField === false ? undefined : (options.softDeleteField ?? 'removed'),
    }),
  };
}
