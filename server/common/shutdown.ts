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

/** How long requests in flight may take to finish once the server stops accepting (then they are cut). */
export const HTTP_DRAIN_MS = 25_000;

/**
 * Stops accepting connections and resolves once requests in flight have finished, at most
 * `drainMs` later; then the connections still open are closed. Keep-alive connections are closed
 * as soon as they are idle (each request in flight on one gets its answer first): a client that
 * keeps its connection open does not hold the shutdown.
 */
export function closeHttpServer(server: Server, drainMs = HTTP_DRAIN_MS): Promise<void> {
  return new Promise((done) => {
    if (!server.listening) return done();
    const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
    const cut = setTimeout(() => server.closeAllConnections(), drainMs);
    server.close(() => {
      clearInterval(idleSweep);
      clearTimeout(cut);
      done();
    });
    server.closeIdleConnections();
  });
}
