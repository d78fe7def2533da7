/**
 * Host overhead on the write styles real CRMs use (issue 17): the bench host (bench/crm-host) with
 * crm-audit-log, with the three most installed mongoose audit/history plugins, and without any,
 * each in its own process on its own database, endpoint by endpoint, rounds alternating.
 *   node --require ./test/helpers/swc-register.js bench/host.bench.ts [--quick] [--seconds 3] [--rounds 6] [--records 1000] [--no-peers]
 */
import mongoose, { type Connection } from 'mongoose';
import { runBenchProgram } from './lib/bench-main';
import type { BenchResult } from './lib/bench-report';
import { listeningPid } from './lib/process-cpu';
import { BENCH_USER, seedContact } from './crm-host/contact-records';
import { countEndpoints, SLOW_REQUEST_MS, type EndpointCount } from './crm-host/count-pass';
import { resetContacts, signBenchToken } from './crm-host/crm-host-app';
import { hostEndpoints, type HostEndpoint, type SeededRecord } from './crm-host/host-endpoints';
import { startHostProcess, type HostProcess } from './crm-host/host-process';
import { commandTable, endpointTable, targetTable } from './crm-host/host-report';
import { benchRows, compare, figuresOf, targetChecks, type HostFigures } from './crm-host/host-results';
import { AUDIT_OFF, hostVariants, type HostVariant } from './crm-host/host-variants';
import { loadRound, roundAmount, type RequestSequence, type RoundResult } from './crm-host/load-round';
import { ensurePeerInstalled } from './peers/peer-runtime';

/** Rounds of about `seconds` each; every endpoint runs its rounds for all hosts before the next endpoint. */
export const HOST_SIZES = {
  seconds: { quick: 0.5, full: 2 },
  rounds: { quick: 1, full: 5 },
  // A request slower than a second (updateMany over 1,000 records on FerretDB v1: about 15 s, its cost
  // grows with matched × stored records) runs this many single-request rounds per host.
  slowRounds: { quick: 1, full: 2 },
  // quick: updateMany over 100 (a fifth of a second on FerretDB), so the quick run stays well under 3 minutes.
  records: { quick: 100, full: 1_000 },
  burst: { quick: 5, full: 10 },
  /** Warm-up per endpoint and host (JIT, pools), not kept; the probe that sizes the rounds warms a little too. */
  warmUpSeconds: { quick: 0, full: 1 },
  /**
   * Requests per connection at the least in a warm-up and a timed round. With one each, a round of the
   * list of 100 (~6 req/s on FerretDB, 10 connections) held ten requests: its CPU per request carried
   * the round's fixed costs and the JIT's first calls, and the audited host (more code to compile)
   * read +63 % where rounds of 40 read +5–10 %.
   */
  requestsPerConnection: { quick: 1, full: 4 },
};

export interface HostBenchSizes {
  seconds: number;
  rounds: number;
  slowRounds: number;
  warmUpSeconds: number;
  /** Seeded contacts: the pool of the single-record endpoints and what updateMany changes. */
  records: number;
  /** Requests per endpoint in the command-counting pass. */
  burst: number;
  /** At least this many requests per connection in a warm-up and a timed round (1 when absent). */
  requestsPerConnection?: number;
  peers: boolean;
  /** Only these endpoints (all when absent). */
  only?: string[];
}

interface Running {
  variant: HostVariant;
  host: HostProcess;
  dbName: string;
  sequence: RequestSequence;
}

/** The count passes run side by side, so a request there takes several times longer than alone. */
const SLOW_COUNTED_MS = 5 * SLOW_REQUEST_MS;
const seconds = (since: number) => `${Math.round((Date.now() - since) / 1000)} s:`;

async function seed(connection: Connection, variants: readonly HostVariant[], run: string, records: number): Promise<{ dbNames: Map<string, string>; seeded: SeededRecord[] }> {
  const contacts = Array.from({ length: records }, (_, index) => seedContact(index));
  const dbNames = new Map<string, string>();
  for (const variant of variants) {
    const dbName = `bench_host_${variant.id.replace(/-/g, '_')}_${run}`;
    dbNames.set(variant.id, dbName);
    for (let start = 0; start < contacts.length; start += 500) await connection.useDb(dbName).db!.collection('contacts').insertMany(contacts.slice(start, start + 500));
  }
  return { dbNames, seeded: contacts.map((contact, index) => ({ id: contact._id.toHexString(), index })) };
}

/** Hosts start together (their start-up is mostly compiling TypeScript); idle ones cost nothing measurable. */
async function startHosts(uri: string, variants: readonly HostVariant[], dbNames: Map<string, string>, count: boolean): Promise<HostProcess[]> {
  const started = await Promise.allSettled(variants.map((variant) => startHostProcess(uri, dbNames.get(variant.id)!, variant, { count })));
  const hosts = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await Promise.all(hosts.map((host) => host.stop()));
    throw failed.reason;
  }
  return hosts;
}

/**
 * The untimed pass, on monitored hosts, side by side: each host counts only its own connection's
 * commands, and nothing here is timed (the event-write batching of a burst depends a little on it).
 */
async function countAll(hosts: readonly HostProcess[], connection: Connection, dbNames: Map<string, string>, endpoints: readonly HostEndpoint[], token: string, burst: number) {
  const counts = new Map<string, Record<string, EndpointCount>>();
  try {
    await Promise.all(hosts.map(async (host) => counts.set(host.variant.id, await countEndpoints(host, connection.useDb(dbNames.get(host.variant.id)!).db!, token, endpoints, burst))));
  } finally {
    await Promise.all(hosts.map((host) => host.stop()));
  }
  return counts;
}

/** Pairs of (audit off, plugin) on the same mongoose; pair order rotates and each pair alternates which goes first. */
function roundOrder(running: readonly Running[], round: number): Running[] {
  const pairs = running.filter((entry) => entry.variant.baseline).map((entry) => [running.find((other) => other.variant.id === entry.variant.baseline)!, entry]);
  const rotated = pairs.map((_, index) => pairs[(index + round) % pairs.length]!);
  return rotated.flatMap((pair) => (round % 2 === 0 ? pair : [...pair].reverse()));
}

/** `countedSlow`: the count pass saw a request take over 5 s; such an endpoint runs single-request rounds without warm-up. */
async function timeEndpoint(connection: Connection, running: readonly Running[], endpoint: HostEndpoint, sizes: HostBenchSizes, token: string, serverPid: number | null, countedSlow: boolean): Promise<Map<string, RoundResult[]>> {
  const reset = (entry: Running) => resetContacts(connection.useDb(entry.dbName).db!.collection('contacts'));
  const amounts = new Map<string, number>();
  let slow = countedSlow;
  for (const entry of running) {
    if (slow) break;
    // A short probe for the rate, then a warm-up of about a second (JIT, pools); neither is kept.
    await reset(entry);
    const probe = await loadRound(entry.host, endpoint, { amount: roundAmount(endpoint, 0, 0), token, sequence: entry.sequence, serverPid });
    // Slow is a request's own time: ten concurrent list requests wait for each other at the server,
    // so their latency over the connections is what one costs (the list of 100: 1.2 s at 10, ~0.13 s each).
    slow ||= probe.p50 / Math.min(endpoint.connections, probe.requests) > SLOW_REQUEST_MS;
    if (slow) break;
    let rate = probe.rps;
    if (sizes.warmUpSeconds > 0) {
      await reset(entry);
      rate = (await loadRound(entry.host, endpoint, { amount: roundAmount(endpoint, probe.rps, sizes.warmUpSeconds, sizes.requestsPerConnection), token, sequence: entry.sequence, serverPid })).rps;
    }
    amounts.set(entry.variant.id, roundAmount(endpoint, rate, sizes.seconds, sizes.requestsPerConnection));
  }
  const rounds = new Map<string, RoundResult[]>(running.map((entry) => [entry.variant.id, []]));
  for (let round = 0; round < (slow ? sizes.slowRounds : sizes.rounds); round++) {
    for (const entry of roundOrder(running, round)) {
      await reset(entry);
      const amount = slow ? roundAmount(endpoint, 0, 0) : amounts.get(entry.variant.id)!;
      rounds.get(entry.variant.id)!.push(await loadRound(entry.host, endpoint, { amount, token, sequence: entry.sequence, serverPid }));
    }
  }
  return rounds;
}

function localServerPid(uri: string): number | null {
  const { hostname, port } = new URL(uri);
  return ['127.0.0.1', 'localhost', '[::1]'].includes(hostname) ? listeningPid(Number(port || 27017)) : null;
}

export async function runHostBench(uri: string, sizes: HostBenchSizes, log: (line: string) => void = () => undefined): Promise<BenchResult> {
  const started = Date.now();
  const run = Date.now().toString(36);
  const variants = hostVariants({ peers: sizes.peers });
  for (const variant of variants) if (variant.folder) ensurePeerInstalled(variant.folder, log);
  const token = signBenchToken(BENCH_USER);
  const connection = await mongoose.createConnection(uri).asPromise();
  let dbNames = new Map<string, string>();
  let timedHosts: Promise<HostProcess[]> | undefined;
  try {
    const seeded = await seed(connection, variants, run, sizes.records);
    dbNames = seeded.dbNames;
    const endpoints = hostEndpoints(seeded.seeded).filter((endpoint) => !sizes.only || sizes.only.includes(endpoint.id));
    log(`${seconds(started)} starting ${variants.length} monitored hosts`);
    const countHosts = await startHosts(uri, variants, dbNames, true);
    // The plain hosts start while the count runs (nothing of the count is timed), once the monitored
    // ones have built the indexes: FerretDB drops connections that build the same index at once.
    timedHosts = startHosts(uri, variants, dbNames, false);
    timedHosts.catch(() => undefined);
    log(`${seconds(started)} counting commands and checking captures`);
    const counts = await countAll(countHosts, connection, dbNames, endpoints, token, sizes.burst);
    const running: Running[] = (await timedHosts).map((host) => ({ variant: host.variant, host, dbName: dbNames.get(host.variant.id)!, sequence: { value: 1_000_000 } }));
    const serverPid = localServerPid(uri);
    const figures: HostFigures[] = [];
    for (const endpoint of endpoints) {
      log(`${seconds(started)} timing ${endpoint.label}`);
      const slow = [...counts.values()].some((count) => (count[endpoint.id]?.firstRequestMs ?? 0) > SLOW_COUNTED_MS);
      const rounds = await timeEndpoint(connection, running, endpoint, sizes, token, serverPid, slow);
      for (const variant of variants) figures.push(figuresOf(variant, endpoint, rounds.get(variant.id)!, counts.get(variant.id)?.[endpoint.id]));
    }
    return report(figures, variants, endpoints, running, sizes, Date.now() - started);
  } finally {
    const hosts = (await timedHosts?.catch(() => undefined)) ?? [];
    await Promise.all(hosts.map((host) => host.stop()));
    for (const dbName of dbNames.values()) await connection.useDb(dbName).dropDatabase().catch(() => undefined);
    await connection.close();
  }
}

function report(figures: HostFigures[], variants: HostVariant[], endpoints: HostEndpoint[], running: Running[], sizes: HostBenchSizes, durationMs: number): BenchResult {
  const comparisons = compare(figures, variants);
  const ours = comparisons.filter((comparison) => comparison.variant === 'ours');
  const checks = targetChecks(ours, endpoints);
  const failures = figures.reduce((sum, figure) => sum + figure.failures, 0);
  const versions = Object.fromEntries(running.map((entry) => [entry.variant.id, entry.host.mongooseVersion]));
  return {
    bench: 'host',
    sizes: { seconds: sizes.seconds, rounds: sizes.rounds, slowRounds: sizes.slowRounds, records: sizes.records, burst: sizes.burst, peers: sizes.peers ? 1 : 0 },
    rows: benchRows(ours, figures.filter((figure) => figure.variant === AUDIT_OFF), endpoints, (endpoint) => `${endpoint.label}, ${endpoint.connections} conn., crm-audit-log vs off`),
    tables: [endpointTable(comparisons, endpoints), targetTable(checks, endpoints), commandTable(comparisons, endpoints)],
    figures: { failedRequests: failures, mongooseVersions: versions },
    details: { targets: checks, hosts: comparisons },
    notes: failures > 0 ? [`${failures} requests failed (non-2xx or errors): the figures are suspect`] : [],
    durationMs,
  };
}

if (require.main === module) {
  runBenchProgram('host', (server, args) =>
    runHostBench(server.uri, {
      seconds: args.number('seconds', HOST_SIZES.seconds),
      rounds: args.number('rounds', HOST_SIZES.rounds),
      slowRounds: args.number('slow-rounds', HOST_SIZES.slowRounds),
      warmUpSeconds: args.quick ? HOST_SIZES.warmUpSeconds.quick : HOST_SIZES.warmUpSeconds.full,
      records: args.number('records', HOST_SIZES.records),
      burst: args.number('burst', HOST_SIZES.burst),
      requestsPerConnection: args.number('requests-per-connection', HOST_SIZES.requestsPerConnection),
      peers: !process.argv.includes('--no-peers'),
      only: args.text('only')?.split(','),
    }, (line) => process.stderr.write(`[host bench] ${line}\n`)),
  );
}
