import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { trpcErrorCode } from './errors';
import { usePageConfig } from './page-config';
import { FullPageMessage } from './states';
import { useTRPC } from './trpc';

/** Signing in is the host's: the page links to its sign-in, which leads back here. */
export function SignedOutPage({ onRetry }: { onRetry: () => void }) {
  const signIn = usePageConfig().signInLink();
  return (
    <FullPageMessage
      title="Sign in to the audit log"
      detail={
        signIn
          ? 'The audit log uses your sign-in to this application. Sign in, and you come back here.'
          : 'The audit log uses your sign-in to this application. Sign in there, then try again.'
      }
      extra={
        signIn ? (
          <a className="button" href={signIn}>
            Sign in
          </a>
        ) : (
          <button type="button" className="button" onClick={onRetry}>
            Try again
          </button>
        )
      }
    />
  );
}

export function NotAllowedPage({ name }: { name: string }) {
  return (
    <FullPageMessage
      title="You are not allowed to see the audit log"
      detail={`Signed in as ${name}. Only administrators of this workspace can open the audit log; ask one of them if you need an entry.`}
      tone="warning"
      extra={<SignOutLink />}
    />
  );
}

/** The host's sign-out, when it gave one. */
export function SignOutLink({ className = 'button button-secondary' }: { className?: string }) {
  const signOut = usePageConfig().signOutLink();
  if (!signOut) return null;
  return (
    <a className={className} href={signOut}>
      Sign out
    </a>
  );
}

/** The session ended while the page was open (expired, signed out elsewhere): ask `auditLog.session` again. */
export function useSessionCheckOn(error: unknown) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useEffect(() => {
    if (trpcErrorCode(error) === 'UNAUTHORIZED') void queryClient.invalidateQueries(trpc.auditLog.session.queryFilter());
  }, [error, queryClient, trpc]);
}
