import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type Router } from 'express';

/** Where the admin UI is served; Vite builds it with this base (client/admin-ui/vite.config.mts). */
export const ADMIN_UI_PATH = '/audit-log';

/**
 * dist/admin-ui, whether this file runs compiled (dist/examples/crm → dist/admin-ui) or from
 * source under ts/swc (examples/crm → dist/admin-ui).
 */
export function defaultAdminUiDirectory(): string {
  const candidates = [resolve(__dirname, '../../admin-ui'), resolve(__dirname, '../../dist/admin-ui')];
  return candidates.find((directory) => existsSync(join(directory, 'index.html'))) ?? candidates[1]!;
}

/**
 * The built admin UI at /audit-log: hashed assets cached for a year, and index.html (never cached)
 * for every other page path, so a bookmarked /audit-log?user=… opens the app. Mount it after the
 * export download route, which shares the /audit-log prefix.
 */
export function createAdminUiRouter(directory: string = defaultAdminUiDirectory()): Router {
  const routes = express.Router();
  const indexFile = join(directory, 'index.html');
  routes.use(`${ADMIN_UI_PATH}/assets`, express.static(join(directory, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  routes.get([ADMIN_UI_PATH, `${ADMIN_UI_PATH}/*rest`], (_req, res) => {
    if (!existsSync(indexFile)) {
      res.status(503).type('text').send('The admin UI is not built: run `npm run build` (or `npm run build:ui`).');
      return;
    }
    res.set('cache-control', 'no-store').sendFile(indexFile);
  });
  return routes;
}
