import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
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

function isAccessError(error: unknown): boolean {
  const code = (error as { data?: { code?: string } } | null)?.data?.code;
  return code === 'UNAUTHORIZED' || code === 'FORBIDDEN' || code === 'BAD_REQUEST';
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
