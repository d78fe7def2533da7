import type { HookableSchema, PluginContext } from './plugin-context';

const QUERY_WRITES = ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace', 'deleteOne', 'deleteMany', 'findOneAndDelete'];

/**
 * Durable mode: one more post hook on every write, registered after the hooks that record, that
 * returns the recorder's `durable()` promise. Mongoose awaits a post hook's promise before the
 * host's call resolves, and a rejection fails the call: a host write is acknowledged only once its
 * event is in the write-ahead log on disk (group commit: one fsync for every write in flight), or
 * the host hears that it is not. Nothing waiting (a skipped write, an event already on disk): no wait.
 */
export function registerDurableHooks(schema: HookableSchema, context: PluginContext): void {
  const sink = context.options.auditLog;
  if (typeof sink.durable !== 'function') return;
  // No parameters: mongoose would take a post hook with a `next` parameter for a callback hook.
  const waitForDurable = function () {
    return sink.durable?.();
  };
  schema.post('save', waitForDurable);
  schema.post('deleteOne', { document: true, query: false }, waitForDurable);
  schema.post(QUERY_WRITES, { document: false, query: true }, waitForDurable);
  schema.post('insertMany', waitForDurable);
  schema.post('bulkWrite', waitForDurable);
}
