import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { trpcErrorCode } from './errors';
import { createBrowserClient, TRPCProvider } from './trpc';
import './styles.css';

function Root() {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          // An audit log is read, not edited: refetching on every focus would re-record "searched the log".
          queries: { refetchOnWindowFocus: false, retry: (failures, error) => failures < 2 && !isAccessError(error) },
        },
      }),
  );
  const [trpcClient] = useState(() => createBrowserClient());
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <App />
      </TRPCProvider>
    </QueryClientProvider>
  );
}

/** Asking again will not change these answers. */
const isAccessError = (error: unknown) => ['UNAUTHORIZED', 'FORBIDDEN', 'BAD_REQUEST', 'NOT_FOUND'].includes(trpcErrorCode(error) ?? '');

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
