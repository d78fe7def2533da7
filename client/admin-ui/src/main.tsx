import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { trpcErrorCode } from './errors';
import { PageConfigProvider, readPageConfig, type PageConfig } from './page-config';
import { FullPageMessage } from './states';
import { createBrowserClient, TRPCProvider } from './trpc';
import './styles.css';

function Root({ config }: { config: PageConfig }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          // An audit log is read, not edited: refetching on every focus would re-record "searched the log".
          queries: { refetchOnWindowFocus: false, retry: (failures, error) => failures < 2 && !isAccessError(error) },
        },
      }),
  );
  const [trpcClient] = useState(() => createBrowserClient(config.trpcUrl));
  return (
    <PageConfigProvider config={config}>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          <App />
        </TRPCProvider>
      </QueryClientProvider>
    </PageConfigProvider>
  );
}

/** Asking again will not change these answers. */
const isAccessError = (error: unknown) => ['UNAUTHORIZED', 'FORBIDDEN', 'BAD_REQUEST', 'NOT_FOUND'].includes(trpcErrorCode(error) ?? '');

const config = readPageConfig(document);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {config ? (
      <Root config={config} />
    ) : (
      <FullPageMessage
        title="The audit log page has no settings"
        detail="Serve it through the audit log's express router (expressRouter({ adminPage: … })), which tells it where its API and your sign-in are."
        tone="error"
      />
    )}
  </StrictMode>,
);
