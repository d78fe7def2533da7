export default async function globalTeardown(): Promise<void> {
  await globalThis.__AUDIT_TEST_MONGO__?.dispose();
}
