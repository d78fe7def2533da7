import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The admin UI is a static bundle that any host serves wherever it mounts it: its links are
 * relative (`base: './'`), and server/http/admin-page.route.ts puts a `<base href>` of the mount
 * and the page's settings in place of index.html's placeholder comment. JSX goes through Vite's
 * built-in oxc transform (automatic runtime).
 */
const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  build: {
    outDir: resolve(here, '../../dist/admin-ui'),
    emptyOutDir: true,
    // One chunk of ~420 kB (React, TanStack Query, tRPC, zod): an admin page loaded once, not worth splitting.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      onwarn(warning, warn) {
        // TanStack Query marks its hooks "use client" for React Server Components; meaningless in a SPA.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
