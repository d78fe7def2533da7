import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * The admin UI is a static bundle that any host serves wherever it mounts it: its links are
 * relative (`base: './'`), and server/http/admin-page.route.ts puts a `<base href>` of the mount
 * and the page's settings in place of index.html's placeholder comment. JSX goes through Vite's
 * built-in oxc transform (automatic runtime).
 */
const here = dirname(fileURLToPath(import.meta.url));

/**
 * The page imports server/ zod schemas; one that reaches Node code (node:async_hooks, …) would build
 * with a stub and fail in the browser at start-up. Vite only warns (and a throw in onwarn is
 * swallowed), so the warnings are collected and fail the build at its end.
 */
const nodeOnlyImports: string[] = [];
const browserOnly: Plugin = {
  name: 'admin-page-browser-only',
  buildEnd() {
    if (nodeOnlyImports.length > 0) this.error(`The admin page bundles server code that needs Node; import zod-only schema files.\n${nodeOnlyImports.join('\n')}`);
  },
};

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  plugins: [browserOnly],
  build: {
    outDir: resolve(here, '../../dist/admin-ui'),
    emptyOutDir: true,
    // One chunk of ~420 kB (React, TanStack Query, tRPC, zod): an admin page loaded once, not worth splitting.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      onwarn(warning, warn) {
        // TanStack Query marks its hooks "use client" for React Server Components; meaningless in a SPA.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        if (String(warning.message).includes('externalized for browser compatibility')) nodeOnlyImports.push(String(warning.message));
        warn(warning);
      },
    },
  },
});
