import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListeningServer {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Closes every connection, then the server. */
  close(): Promise<void>;
}

/** An app (express or any request listener) on a free loopback port. */
export async function listenOnFreePort(app: RequestListener | { listen: Server['listen'] }): Promise<ListeningServer> {
  const server: Server = await new Promise((ready) => {
    const listening = (app as { listen: (port: number, host: string, done: () => void) => Server }).listen(0, '127.0.0.1', () => ready(listening));
  });
  return {
    server,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}
