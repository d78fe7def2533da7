import { useMutation } from '@tanstack/react-query';
import { FullPageMessage } from './states';
import { useTRPC } from './trpc';

export function NotAllowedPage({ name }: { name: string }) {
  return (
    <FullPageMessage
      title="You are not allowed to see the audit log"
      detail={`Signed in as ${name}. Only administrators of this workspace can open the audit log; ask one of them if you need an entry.`}
      tone="warning"
      extra={<SignOutButton />}
    />
  );
}

export function SignOutButton({ className = 'button button-secondary' }: { className?: string }) {
  const trpc = useTRPC();
  // A full reload drops every cached page of the previous user.
  const signOut = useMutation(trpc.auth.logout.mutationOptions({ onSettled: () => window.location.reload() }));
  return (
    <button type="button" className={className} onClick={() => signOut.mutate()} disabled={signOut.isPending}>
      Sign out
    </button>
  );
}
