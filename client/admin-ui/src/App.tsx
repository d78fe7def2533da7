import { useQuery } from '@tanstack/react-query';
import { AuditLogPage } from './AuditLogPage';
import { LoginPage } from './LoginPage';
import { NotAllowedPage } from './session';
import { FullPageMessage } from './states';
import { useTRPC } from './trpc';

/** Who is signed in decides the page: sign-in, "not allowed" for non-admins, or the audit log. */
export function App() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  if (me.isPending) return <FullPageMessage title="Loading…" busy />;
  if (me.isError) {
    return <FullPageMessage title="The audit log could not be reached" detail={me.error.message} action={{ label: 'Try again', onClick: () => void me.refetch() }} />;
  }
  const { user, tenantId } = me.data;
  if (!user || !tenantId) return <LoginPage />;
  if (user.role !== 'admin') return <NotAllowedPage name={user.name} />;
  return <AuditLogPage user={user} tenantId={tenantId} />;
}
