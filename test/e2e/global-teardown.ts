/** Stops the database only when the e2e setup started it (otherwise the integration teardown does). */
export default async function globalTeardown(): Promise<void> {
  if (globalThis.__AUDIT_E2E_STARTED_DATABASE__) await globalThis.__AUDIT_TEST_MONGO__?.dispose();
}
