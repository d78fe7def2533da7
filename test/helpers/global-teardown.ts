import { rmSync } from 'node:fs';
import { packDirectory } from './packed-package';

/** Shared by the integration and e2e projects: the first teardown stops the database, later ones find nothing. */
export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__AUDIT_TEST_MONGO__;
  globalThis.__AUDIT_TEST_MONGO__ = undefined;
  await server?.dispose();
  rmSync(packDirectory(), { recursive: true, force: true });
}
