import type { Server } from 'node:http';
import type { Logger } from 'pino';

/**
 * SIGTERM/SIGINT: `stop` runs once (a second signal is ignored), then the process exits 0, or 1 when
 * `stop` fails or takes longer than `forceAfterMs`. Every runnable entry point uses this.
 */
export function stopOnSignals(logger: Pick<Logger, 'info' | 'error'>, stop: (signal: string) => Promise<void>, forceAfterMs = 30_000): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    setTimeout(() => process.exit(1), forceAfterMs).unref();
    stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
}

/** Stops accepting connections and resolves once requests in flight have finished. */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    // Idle keep-alive sockets would hold close() open; requests in flight still finish.
    server.closeIdleConnections();
  });
}
