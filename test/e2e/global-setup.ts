import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import startTestDatabase from '../helpers/global-setup';
import { ZE2eBrowser } from '../helpers/find-browser';

/**
 * The integration project's database (started once when both projects run), then a fresh build of
 * the admin UI, so the browser tests what the source says, not a stale bundle.
 */
export default async function globalSetup(): Promise<void> {
  await startTestDatabase();
  // jest.config.js only adds this project once it has found a browser.
  const browser = ZE2eBrowser.parse(JSON.parse(process.env.AUDIT_E2E_BROWSER ?? 'null'));
  process.stdout.write(`\n[test-setup] e2e browser: ${browser.description}\n`);
  const root = resolve(__dirname, '../..');
  execFileSync(process.execPath, [resolve(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'client/admin-ui/vite.config.mts'], { cwd: root, stdio: 'inherit' });
}
