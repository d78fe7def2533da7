import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import startTestDatabase from '../helpers/global-setup';

declare global {
  // eslint-disable-next-line no-var
  var __AUDIT_E2E_STARTED_DATABASE__: boolean | undefined;
}

/**
 * The e2e project shares the integration project's database when both run (its global setup has
 * set the URI); alone, it starts one. Then it builds the admin UI, so the browser tests what the
 * source says, not a stale bundle.
 */
export default async function globalSetup(): Promise<void> {
  if (!process.env.AUDIT_TEST_MONGODB_URI) {
    await startTestDatabase();
    globalThis.__AUDIT_E2E_STARTED_DATABASE__ = true;
  }
  const root = resolve(__dirname, '../..');
  execFileSync(process.execPath, [resolve(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'client/admin-ui/vite.config.mts'], { cwd: root, stdio: 'inherit' });
}
