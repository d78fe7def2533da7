import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { isBusyError, isFinalError, retryAfterMsOf } from './errors';
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
          // A busy server (429) is asked again after the wait it names, a few more times than other failures.
          queries: {
            refetchOnWindowFocus: false,
            retry: (failures, error) => (isBusyError(error) ? failures < 5 : failures < 2 && !isFinalError(error)),
            retryDelay: (attempt, error) => retryAfterMsOf(error) ?? Math.min(1_000 * 2 ** attempt, 10_000),
          },
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
