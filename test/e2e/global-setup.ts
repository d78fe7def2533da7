import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import startTestDatabase from '../helpers/global-setup';

/**
 * The integration project's database (started once when both projects run), then a fresh build of
 * the admin UI, so the browser tests what the source says, not a stale bundle.
 */
export default async function globalSetup(): Promise<void> {
  await startTestDatabase();
  const root = resolve(__dirname, '../..');
  execFileSync(process.execPath, [resolve(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'client/admin-ui/vite.config.mts'], { cwd: root, stdio: 'inherit' });
}
