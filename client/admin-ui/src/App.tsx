import { useQuery } from '@tanstack/react-query';
import { AuditLogPage } from './AuditLogPage';
import { NotAllowedPage, SignedOutPage } from './session';
import { FullPageMessage } from './states';
import { useTRPC } from './trpc';

/** `auditLog.session` decides the page: sign in to the host first, "not allowed", or the audit log. */
export function App() {
  const trpc = useTRPC();
  const session = useQuery(trpc.auditLog.session.queryOptions());
  if (session.isPending) return <FullPageMessage title="Loading…" busy />;
  if (session.isError) {
    return <FullPageMessage title="The audit log could not be reached" detail={session.error.message} action={{ label: 'Try again', onClick: () => void session.refetch() }} />;
  }
  const { user, canRead } = session.data;
  if (!user) return <SignedOutPage onRetry={() => void session.refetch()} />;
  if (!canRead) return <NotAllowedPage name={user.name} />;
  return <AuditLogPage user={user} />;
}
