/**
 * One timed round against one host: autocannon sends a fixed number of requests (sized from a
 * warm-up to last about `seconds`, so a slow host is not cut off mid-request and a pool of records
 * is never written twice), and the host's and the database's CPU are read from /proc around it.
 */
import autocannon from 'autocannon';
import type { HostEndpoint } from './host-endpoints';
import type { HostProcess } from './host-process';
import { processCpuMs } from '../lib/process-cpu';

export interface RoundResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  /** CPU per completed request (ms) of the host process and of the database server; NaN without /proc. */
  hostCpuMs: number;
  serverCpuMs: number;
}

/** Counts every request a host got over the run, so each one changes what it writes. */
export interface RequestSequence {
  value: number;
}

export async function loadRound(host: HostProcess, endpoint: HostEndpoint, options: { amount: number; token: string; sequence: RequestSequence; serverPid: number | null }): Promise<RoundResult> {
  let index = 0;
  const first = endpoint.request(0, options.sequence.value);
  const cpuBefore = { host: processCpuMs(host.pid), server: options.serverPid ? processCpuMs(options.serverPid) : null };
  const started = process.hrtime.bigint();
  let lastResponse = started;
  const load: autocannon.Options = {
    url: host.origin,
    connections: Math.min(endpoint.connections, options.amount),
    amount: options.amount,
    timeout: 120,
    // autocannon notices the end of an `amount` run only on its sampling tick (1 s by default).
    sampleInt: 50,
    requests: [
      {
        method: first.method,
        path: first.path,
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        setupRequest: (request) => {
          const next = endpoint.request(index++, options.sequence.value++);
          return { ...request, method: next.method, path: next.path, body: next.body === undefined ? undefined : JSON.stringify(next.body) };
        },
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon(load, (error: unknown, finished: autocannon.Result) => (error ? fail(error) : done(finished)));
    instance.on('response', () => (lastResponse = process.hrtime.bigint()));
  });
  const seconds = Number(lastResponse - started) / 1e9;
  // The plugin's batched writes for these requests belong to this round's CPU.
  await (await fetch(`${host.control}/flush`, { method: 'POST' })).body?.cancel();
  const requests = result.requests.total;
  const perRequest = (before: number | null, after: number | null) => (before === null || after === null || requests === 0 ? Number.NaN : (after - before) / requests);
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors,
    hostCpuMs: perRequest(cpuBefore.host, processCpuMs(host.pid)),
    serverCpuMs: perRequest(cpuBefore.server, options.serverPid ? processCpuMs(options.serverPid) : null),
  };
}

/** Requests per round: about `seconds` at the warm-up's rate, at least `perConnection` per connection, never past the endpoint's pool. */
export function roundAmount(endpoint: HostEndpoint, warmUpRps: number, seconds: number, perConnection = 1): number {
  const floor = endpoint.connections * perConnection;
  return Math.min(Math.max(floor, Math.round(warmUpRps * seconds)), endpoint.pool ?? Number.POSITIVE_INFINITY);
}
