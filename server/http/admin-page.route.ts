import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import express, { type Router } from 'express';
import { readableIssues } from '../common/zod-issues';
import { ADMIN_PAGE_CONFIG_ELEMENT_ID, ZAdminPageOptions, type TAdminPageConfig, type TAdminPageOptions } from './admin-page.config';

/**
 * The built admin page (dist/admin-ui), whether this file runs compiled (dist/server/http →
 * dist/admin-ui) or from source under swc (server/http → dist/admin-ui).
 */
export function defaultAdminPageDirectory(): string {
  const candidates = [resolve(__dirname, '../../admin-ui'), resolve(__dirname, '../../dist/admin-ui')];
  return candidates.find((directory) => existsSync(join(directory, 'index.html'))) ?? candidates[1]!;
}

/** Where client/admin-ui/index.html takes the `<base href>` and the page's settings. */
export const ADMIN_PAGE_PLACEHOLDER = '<!-- audit-log-page-config -->';

/**
 * The admin page, wherever the host mounts it: hashed assets cached for a year, and index.html
 * (never cached) for every other page path, so a bookmarked `<mount>?user=…` opens the page.
 * index.html gets `<base href="<mount>/">` (the bundle's links are relative) and the page's
 * settings (tRPC endpoint, the host's sign-in and sign-out links). `servesApi`: the same router
 * serves the API at `trpc`, the default endpoint; otherwise the host must name its own.
 */
export function createAdminPageRouter(options: TAdminPageOptions, { servesApi }: { servesApi: boolean }): Router {
  const page = parseAdminPageOptions(options);
  if (!page.trpcUrl && !servesApi) {
    throw new Error("crm-audit-log: adminPage.trpcUrl is required with api: false (the host's tRPC endpoint that serves auditLog.*, e.g. '/trpc')");
  }
  const config: TAdminPageConfig = { trpcUrl: page.trpcUrl ?? 'trpc', signInUrl: page.signInUrl ?? null, signOutUrl: page.signOutUrl ?? null };
  const directory = page.directory ?? defaultAdminPageDirectory();
  const indexFile = join(directory, 'index.html');

  const routes = express.Router();
  routes.use('/assets', express.static(join(directory, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  // A plain middleware, not a wildcard route: express 4 and 5 spell wildcards differently.
  routes.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // Read per request (a few hundred bytes): a rebuilt page is served without a restart.
    readFile(indexFile, 'utf8')
      .catch(() => null)
      .then((template) => {
        const html = template === null ? null : renderAdminPageHtml(template, { baseHref: `${req.baseUrl}/`, config });
        if (html === null) return void res.status(503).type('text').send(template === null ? NOT_BUILT : OUT_OF_DATE);
        res.set('cache-control', 'no-store').type('html').send(html);
      })
      .catch(next);
  });
  return routes;
}

const NOT_BUILT = 'The admin page is not built: run `npm run build:ui`.';
const OUT_OF_DATE = 'The admin page build is out of date (no settings placeholder): run `npm run build:ui`.';

function parseAdminPageOptions(options: TAdminPageOptions) {
  const parsed = ZAdminPageOptions.safeParse(options);
  if (!parsed.success) throw new Error(`crm-audit-log: adminPage options: ${readableIssues(parsed.error.issues)}`);
  return parsed.data;
}

/** index.html with the base and settings in place of the placeholder; null when the build has none (an older build). */
export function renderAdminPageHtml(template: string, { baseHref, config }: { baseHref: string; config: TAdminPageConfig }): string | null {
  if (!template.includes(ADMIN_PAGE_PLACEHOLDER)) return null;
  const settings = `<base href="${escapeAttribute(baseHref)}" /><script type="application/json" id="${ADMIN_PAGE_CONFIG_ELEMENT_ID}">${jsonInScript(config)}</script>`;
  return template.replace(ADMIN_PAGE_PLACEHOLDER, () => settings);
}

const escapeAttribute = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** JSON that cannot end its script element (`</script>`) or open a comment: `<` as `\u003c`. */
const jsonInScript = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
