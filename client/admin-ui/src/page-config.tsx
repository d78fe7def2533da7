import { createContext, useContext, type ReactNode } from 'react';
import { ADMIN_PAGE_CONFIG_ELEMENT_ID, withReturnTo, ZAdminPageConfig, type TAdminPageConfig } from '../../../server/http/admin-page.config';

/**
 * The page's settings, put into index.html by the server that mounts it (server/http/admin-page.route.ts):
 * its tRPC endpoint and the host's sign-in and sign-out links. The page knows no host.
 */
export interface PageConfig {
  /** Absolute, without a trailing slash (tRPC appends `/auditLog.…`). */
  trpcUrl: string;
  /** The host's sign-in link, leading back here; null when the host gave none. */
  signInLink(): string | null;
  signOutLink(): string | null;
}

/** Null when the page was not served by the audit log's router (e.g. dist/admin-ui opened as static files). */
export function readPageConfig(document: Document): PageConfig | null {
  const text = document.getElementById(ADMIN_PAGE_CONFIG_ELEMENT_ID)?.textContent;
  if (!text) return null;
  const parsed = ZAdminPageConfig.safeParse(JSON.parse(text));
  return parsed.success ? toPageConfig(parsed.data, document) : null;
}

function toPageConfig(config: TAdminPageConfig, document: Document): PageConfig {
  // Relative links are relative to where the page is mounted (its <base href>), not to the current path.
  const resolve = (link: string) => new URL(link, document.baseURI).href;
  const here = () => `${window.location.pathname}${window.location.search}${window.location.hash}`;
  const linkBack = (link: string | null) => (link === null ? null : resolve(withReturnTo(link, here())));
  return {
    trpcUrl: resolve(config.trpcUrl).replace(/\/+$/, ''),
    signInLink: () => linkBack(config.signInUrl),
    signOutLink: () => linkBack(config.signOutUrl),
  };
}

const PageConfigContext = createContext<PageConfig | null>(null);

export function PageConfigProvider({ config, children }: { config: PageConfig; children: ReactNode }) {
  return <PageConfigContext.Provider value={config}>{children}</PageConfigContext.Provider>;
}

export function usePageConfig(): PageConfig {
  const config = useContext(PageConfigContext);
  if (!config) throw new Error('usePageConfig outside PageConfigProvider');
  return config;
}
