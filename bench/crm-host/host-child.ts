/**
 * One bench host in its own process (its CPU is read from /proc):
 *   host-child.ts <mongodb uri> <db name> <variant id> [--count]
 * Prints one JSON line {"port": n, "controlPort": n} once it listens; closes cleanly on SIGTERM.
 * The control server answers POST /flush (the plugin's pending writes stored, so their CPU falls in
 * the round that caused them) and, with --count, GET /commands (the commands the monitored
 * connection sent since the last call). Monitoring costs CPU (the driver builds an event per
 * command and decodes every reply again), so timed rounds run on hosts without it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { variantById } from './host-variants';
import { openCrmHost, type CrmHost } from './open-crm-host';

const [uri, dbName, variantId] = process.argv.slice(2) as [string, string, string];
const counting = process.argv.includes('--count');

function controlServer(host: CrmHost): Server {
  return createServer((req, res) => {
    const answer = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && req.url === '/commands' && host.commands) return answer(host.commands.take());
    if (req.method === 'POST' && req.url === '/flush') return void host.capture.flush().then(() => answer({ flushed: true }));
    res.writeHead(404).end();
  });
}

const listen = (server: Server) => new Promise<number>((ready) => server.listen(0, '127.0.0.1', () => ready((server.address() as AddressInfo).port)));

async function main(): Promise<void> {
  const host = await openCrmHost(variantById(variantId), { uri, dbName, monitorCommands: counting });
  await host.capture.ready;
  const server = createServer(host.app);
  const control = controlServer(host);
  const port = await listen(server);
  const controlPort = await listen(control);
  host.commands?.take();
  process.stdout.write(`${JSON.stringify({ port, controlPort, mongoose: host.mongooseVersion })}\n`);
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close();
    control.close();
    void host.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench host ${variantId} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
