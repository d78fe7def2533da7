import { z } from 'zod';

/**
 * The admin page's settings, shared by the server that serves the page (admin-page.route.ts) and
 * the page itself (client/admin-ui). zod only: the page bundles this file.
 */

/** A path (`/login`), a relative link (`../login`) or an http(s) URL: never `javascript:` or `data:`. */
const ZPageLink = z
  .string({ message: 'must be a string' })
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(2_000, { message: 'must be at most 2000 characters' })
  .refine((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link) || /^https?:\/\//i.test(link), { message: 'must be a path or an http(s) URL' });

/** What a host passes as `expressRouter({ adminPage: { … } })`. */
export const ZAdminPageOptions = z
  .object({
    /** The host's sign-in page; `{returnTo}` in it becomes the page's own path, e.g. `/login?next={returnTo}`. */
    signInUrl: ZPageLink.optional(),
    /** The host's sign-out (a link, followed with GET); `{returnTo}` as for `signInUrl`. */
    signOutUrl: ZPageLink.optional(),
    /** Where the page calls `auditLog.*`, relative to where the page is mounted: default `trpc` (the API the same router serves). */
    trpcUrl: ZPageLink.optional(),
    /** The built page (default: the package's `dist/admin-ui`). */
    directory: z.string().min(1, { message: 'must not be empty' }).optional(),
  })
  .strict();
export type TAdminPageOptions = z.input<typeof ZAdminPageOptions>;

/** What the served index.html carries to the page (in a JSON script element). */
export const ZAdminPageConfig = z.object({
  trpcUrl: z.string().min(1),
  signInUrl: z.string().nullable(),
  signOutUrl: z.string().nullable(),
});
export type TAdminPageConfig = z.infer<typeof ZAdminPageConfig>;

export const ADMIN_PAGE_CONFIG_ELEMENT_ID = 'audit-log-page-config';

/** `/login?next={returnTo}` → `/login?next=%2Faudit-log%3Fuser%3Du1`; a link without the placeholder is kept. */
export function withReturnTo(link: string, returnTo: string): string {
  return link.replaceAll('{returnTo}', encodeURIComponent(returnTo));
}
