import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import superjson from 'superjson';
import { realmSafeFetch } from './realm-safe-fetch';

export interface CookieClientOptions {
  userAgent?: string;
  /** Sent as X-Forwarded-For (for hosts that trust a proxy hop). */
  ip?: string;
}

/**
 * A tRPC client that keeps its session cookie, as a browser would: the cookie a response sets is
 * sent with every later request; a cleared cookie (`name=`, as on sign-out) is dropped.
 */
export function createCookieClient<TRouter extends AnyRouter>(url: string, options: CookieClientOptions = {}): TRPCClient<TRouter> {
  let cookie: string | undefined;
  return createTRPCClient<TRouter>({
    links: [
      httpLink({
        url,
        transformer: superjson,
        headers: () => ({
          ...(cookie ? { cookie } : {}),
          ...(options.userAgent ? { 'user-agent': options.userAgent } : {}),
          ...(options.ip ? { 'x-forwarded-for': options.ip } : {}),
        }),
        fetch: async (input, init) => {
          const response = await realmSafeFetch(input, init);
          const setCookie = response.headers.get('set-cookie')?.split(';')[0];
          if (setCookie) cookie = setCookie.endsWith('=') ? undefined : setCookie;
          return response;
        },
      }) as never,
    ],
  });
}
