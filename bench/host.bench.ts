/**
 * Host overhead: the demo CRM under autocannon (contacts.update with a changing phone number, signed
 * in), audit trail on against off, each CRM in its own process, rounds alternating.
 *   node --require ./test/helpers/swc-register.js bench/host.bench.ts [--seconds 3] [--rounds 14] [--connections 10] [--quick]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import mongoose from 'mongoose';
import { DEMO_PASSWORD } from '../examples/crm/seed-data';
import { AUDIT_EVENTS_COLLECTION } from '../server/events/event.model';
import { runBenchProgram } from './lib/bench-main';
import type { BenchResult, BenchRow } from './lib/bench-report';
import { listeningPid, processCpuMs } from './lib/process-cpu';
import { alternate, summarise, summariseRate } from './lib/bench-stats';

/** Many short alternating rounds: on a shared 2-core machine noise comes in bursts, and medians over many rounds ride them out. */
export const HOST_SIZES = { seconds: { quick: 2, full: 3 }, rounds: { quick: 3, full: 14 }, connections: { quick: 10, full: 10 } };

interface Crm {
  child: ChildProcess;
  origin: string;
  cookie: string;
  contactIds: string[];
  dbName: string;
}

interface Round {
  rps: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU per completed request of the CRM's process and of the database server (NaN when /proc is not there). */
  crmCpuMs: number;
  serverCpuMs: number;
}

function startCrm(uri: string, dbName: string, mode: 'on' | 'off'): Promise<{ child: ChildProcess; origin: string }> {
  // BENCH_PROFILE_DIR=/tmp/profiles writes a CPU profile of each CRM process (to see where the overhead goes).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`, `--cpu-prof-name=host-${mode}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profile, '--require', join(__dirname, '../test/helpers/swc-register.js'), join(__dirname, 'host-crm-child.ts'), uri, dbName, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ready, fail) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) ready({ child, origin: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}` });
    });
    child.once('exit', (code) => fail(new Error(`host CRM (${mode}) exited ${code} before listening`)));
  });
}

/** Signs in as the demo admin the way the browser client does, and lists the contacts to update. */
async function signIn(origin: string): Promise<{ cookie: string; contactIds: string[] }> {
  const login = await fetch(`${origin}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: { tenant: 'acme', email: 'alice@acme.test', password: DEMO_PASSWORD } }),
  });
  const cookie = login.headers.get('set-cookie')?.split(';')[0];
  if (!login.ok || !cookie) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
  const listed = (await (await fetch(`${origin}/trpc/contacts.list`, { headers: { cookie } })).json()) as { result: { data: { json: Array<{ _id: string }> } } };
  return { cookie, contactIds: listed.result.data.json.map((contact) => String(contact._id)) };
}

async function load(crm: Crm, seconds: number, connections: number, serverPid: number | null): Promise<Round> {
  let sequence = 0;
  const cpuBefore = { crm: processCpuMs(crm.child.pid!), server: serverPid ? processCpuMs(serverPid) : null };
  const result = await autocannon({
    url: crm.origin,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/trpc/contacts.update',
        headers: { cookie: crm.cookie, 'content-type': 'application/json' },
        setupRequest: (request) => {
          const n = sequence++;
          return { ...request, body: JSON.stringify({ json: { id: crm.contactIds[n % crm.contactIds.length], patch: { phone: `+1 202 555 ${String(n % 10_000).padStart(4, '0')}` } } }) };
        },
      },
    ],
  });
  const requests = result.requests.total;
  const perRequest = (before: number | null, after: number | null) => (before === null || after === null || requests === 0 ? Number.NaN : (after - before) / requests);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    crmCpuMs: perRequest(cpuBefore.crm, processCpuMs(crm.child.pid!)),
    serverCpuMs: perRequest(cpuBefore.server, serverPid ? processCpuMs(serverPid) : null),
  };
}

/** The database server's process when it runs on this machine (its CPU per request is the steadiest figure). */
function localServerPid(uri: string): number | null {
  try {
    const { hostname, port } = new URL(uri);
    return ['127.0.0.1', 'localhost', '[::1]'].includes(hostname) ? listeningPid(Number(port || 27017)) : null;
  } catch {
    return null;
  }
}

export async function runHostBench(uri: string, sizes: { seconds: number; rounds: number; connections: number }): Promise<BenchResult> {
  const started = Date.now();
  const run = Date.now().toString(36);
  const crms: Partial<Record<'on' | 'off', Crm>> = {};
  try {
    for (const mode of ['on', 'off'] as const) {
      const dbName = `bench_host_${mode}_${run}`;
      const { child, origin } = await startCrm(uri, dbName, mode);
      crms[mode] = { child, origin, dbName, ...(await signIn(origin)) };
    }
    const serverPid = localServerPid(uri);
    const { ours, raw } = await alternate({
      rounds: sizes.rounds,
      warmUp: 1,
      ours: () => load(crms.on!, sizes.seconds, sizes.connections, serverPid),
      raw: () => load(crms.off!, sizes.seconds, sizes.connections, serverPid),
    });
    const rps = { ours: summariseRate(ours.map((round) => round.rps)), raw: summariseRate(raw.map((round) => round.rps)) };
    const p99 = { ours: summarise(ours.map((round) => round.p99)), raw: summarise(raw.map((round) => round.p99)) };
    const failures = [...ours, ...raw].reduce((sum, round) => sum + round.non2xx + round.errors, 0);
    const auditEventsStored = await countAuditEvents(uri, crms.on!.dbName);
    const rpsRatio = rps.ours.median / rps.raw.median;
    const p99Ratio = p99.ours.median / p99.raw.median;
    const label = `contacts.update, ${sizes.connections} connections, on vs off`;
    const cpuRow = (metric: string, pick: (round: Round) => number): BenchRow[] => {
      const cpu = { ours: summarise(ours.map(pick)), raw: summarise(raw.map(pick)) };
      return Number.isNaN(cpu.ours.median) || Number.isNaN(cpu.raw.median) ? [] : [{ case: label, metric, unit: 'ms per request', ...cpu, ratio: cpu.ours.median / cpu.raw.median, target: '(no target)', met: null }];
    };
    return {
      bench: 'host',
      sizes,
      rows: [
        { case: label, metric: 'requests/s', unit: 'req/s per round, p95 = slowest 5%', ...rps, ratio: rpsRatio, target: '≥ 0.95', met: rpsRatio >= 0.95 },
        { case: label, metric: 'latency p99', unit: 'ms per round', ...p99, ratio: p99Ratio, target: '≤ 1.05', met: p99Ratio <= 1.05 },
        ...cpuRow('CRM process CPU', (round) => round.crmCpuMs),
        ...cpuRow('database server CPU', (round) => round.serverCpuMs),
      ],
      figures: { failedRequests: failures, auditEventsStored },
      notes: failures > 0 ? [`${failures} requests failed (non-2xx or errors): the figures are suspect`] : [],
      durationMs: Date.now() - started,
    };
  } finally {
    for (const crm of Object.values(crms)) {
      crm.child.kill('SIGTERM');
      await new Promise((done) => crm.child.once('exit', done));
      const connection = await mongoose.createConnection(uri, { dbName: crm.dbName }).asPromise();
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    }
  }
}

/** Proof the plugin-on CRM really recorded (read after its recorder's 100 ms flush has had time). */
async function countAuditEvents(uri: string, dbName: string): Promise<number> {
  await new Promise((done) => setTimeout(done, 500));
  const connection = await mongoose.createConnection(uri, { dbName }).asPromise();
  try {
    return await connection.db!.collection(AUDIT_EVENTS_COLLECTION).countDocuments({ action: 'record.updated' });
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  runBenchProgram('host', (server, args) =>
    runHostBench(server.uri, { seconds: args.number('seconds', HOST_SIZES.seconds), rounds: args.number('rounds', HOST_SIZES.rounds), connections: args.number('connections', HOST_SIZES.connections) }),
  );
}
