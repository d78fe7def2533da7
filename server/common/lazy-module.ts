/**
 * A dependency loaded on first use instead of at `require('crm-audit-log')`. Loaded eagerly,
 * bullmq, ioredis and exceljs were 923 of the 1,788 modules and 11.6 MB of the 32 MB heap of a
 * host that had only required mongoose and the package; garbage collection over the bigger heap
 * costs the host CPU on allocation-heavy reads (docs/PERFORMANCE.md, issue 17).
 *
 *   const bullmq = lazyModule(() => require('bullmq') as typeof import('bullmq'));
 *   new (bullmq().Queue)(…);
 *
 * Each call site keeps a literal `require('name')` (bundlers still see the dependency) and the
 * static type (`typeof import('name')`). `require`, not `import()`: the package is CommonJS (ESM
 * hosts import it as such), so a synchronous load works in every host and `createAuditLog` stays
 * synchronous.
 */
export function lazyModule<TModule>(load: () => TModule): () => TModule {
  let loaded: { module: TModule } | undefined;
  return () => (loaded ??= { module: load() }).module;
}
