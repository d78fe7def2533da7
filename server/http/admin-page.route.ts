import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type Router } from 'express';

/**
 * The built admin page (dist/admin-ui), whether this file runs compiled (dist/server/http →
 * dist/admin-ui) or from source under swc (server/http → dist/admin-ui).
 */
export function defaultAdminPageDirectory(): string {
  const candidates = [resolve(__dirname, '../../admin-ui'), resolve(__dirname, '../../dist/admin-ui')];
  return candidates.find((directory) => existsSync(join(directory, 'index.html'))) ?? candidates[1]!;
}

/**
 * The admin page, mounted at `/audit-log` (the path its bundle is built for): hashed assets cached
 * for a year, and index.html (never cached) for every other page path, so a bookmarked
 * `/audit-log?user=…` opens the app.
 */
export function createAdminPageRouter(directory: string = defaultAdminPageDirectory()): Router {
  const routes = express.Router();
  const indexFile = join(directory, 'index.html');
  routes.use('/assets', express.static(join(directory, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  // A plain middleware, not a wildcard route: express 4 and 5 spell wildcards differently.
  routes.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (!existsSync(indexFile)) {
      res.status(503).type('text').send('The admin page is not built: run `npm run build:ui`.');
      return;
    }
    res.set('cache-control', 'no-store').sendFile(indexFile);
  });
  return routes;
}
