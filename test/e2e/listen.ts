import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A host's app on a free loopback port; `close` also ends open event streams (live views). */
export async function listenOnFreePort(app: { listen(port: number, host: string, ready: () => void): Server }) {
  const server: Server = await new Promise((done) => {
    const listening = app.listen(0, '127.0.0.1', () => done(listening));
  });
  return {
    server,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}
