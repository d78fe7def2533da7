/**
 * The untimed pass: on a host whose connection is monitored, each endpoint once with its records
 * read before and after (what did the plugin capture, and was it right?), then a burst of requests
 * at the endpoint's concurrency (which commands does one request send?).
 */
import { ObjectId, type Db } from 'mongodb';
import type { CapturedEntry } from './capture';
import { judgeCapture, type CaptureVerdict, type ObservedWrite } from './capture-check';
import { perRequest, type CommandTally } from './command-log';
import { resetContacts } from './crm-host-app';
import type { EndpointRequest, HostEndpoint } from './host-endpoints';
import type { HostProcess } from './host-process';

export interface EndpointCount {
  /** Commands per request over the burst, every collection. */
  commands: CommandTally;
  burst: number;
  capture?: CaptureVerdict;
  /** How long the first request took (the capture check's): over a second, the endpoint is timed in single-request rounds. */
  firstRequestMs: number;
}

type Plain = Record<string, unknown>;

export async function send(origin: string, token: string, request: EndpointRequest): Promise<unknown> {
  const response = await fetch(`${origin}${request.path}`, {
    method: request.method,
    headers: { authorization: `Bearer ${token}`, ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  if (!response.ok) throw new Error(`${request.method} ${request.path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

/** The commands the host's monitored connection sent since the last call. */
const takeCommands = async (host: HostProcess) => (await fetch(`${host.control}/commands`)).json() as Promise<CommandTally>;
/** Resolves once the plugin has stored what it captured (crm-audit-log's recorder batches). */
const flushCaptures = async (host: HostProcess) => void (await fetch(`${host.control}/flush`, { method: 'POST' })).body?.cancel();

async function readRecords(db: Db, ids: string[]): Promise<Map<string, Plain>> {
  const found = await db.collection('contacts').find({ _id: { $in: ids.map((id) => new ObjectId(id)) } }).toArray();
  return new Map(found.map((record) => [String(record._id), record as Plain]));
}

const expectedKind = (endpoint: HostEndpoint): ObservedWrite['expectedKind'] =>
  endpoint.id === 'create' ? 'created' : endpoint.id === 'softDelete' ? 'deleted' : endpoint.id === 'list' ? 'none' : 'updated';

/** A request slower than this (updateMany over 1,000 on FerretDB: about 15 s) is not repeated: its commands are counted once. */
export const SLOW_REQUEST_MS = 1_000;
/** Collection and index creation on a plugin's first write: not part of any one request's work. */
const DDL = new Set(['create', 'createIndexes', 'listIndexes', 'listCollections']);
const withoutDdl = (tally: CommandTally) => Object.fromEntries(Object.entries(tally).filter(([command]) => !DDL.has(command.split(' ')[0]!)));

/** One request with the records read around it; the plugin's entries since then, judged. */
async function checkCapture(host: HostProcess, db: Db, token: string, endpoint: HostEndpoint, sequence: number): Promise<CaptureVerdict | undefined> {
  const adapter = host.variant.capture;
  const store = adapter ? db.collection(adapter.store) : undefined;
  const [newest] = store ? await store.find({}, { projection: { _id: 1 } }).sort({ _id: -1 }).limit(1).toArray() : [];
  const touched = endpoint.touches(0);
  const before = Array.isArray(touched) ? await readRecords(db, touched) : new Map<string, Plain>();
  const response = (await send(host.origin, token, endpoint.request(0, sequence))) as { _id?: string } | undefined;
  await flushCaptures(host);
  if (!adapter || !store) return undefined;
  const ids = Array.isArray(touched) ? touched : touched === 'created' && response?._id ? [response._id] : [];
  const after = await readRecords(db, ids);
  const records = new Map(ids.map((id) => [id, { before: before.get(id) ?? null, after: after.get(id) ?? null }]));
  const stored = await store.find(newest ? { _id: { $gt: newest._id } } : {}).sort({ _id: 1 }).toArray();
  const entries: CapturedEntry[] = stored.map((document) => adapter.normalise(document as Plain));
  return judgeCapture({ expectedKind: expectedKind(endpoint), records }, entries);
}

async function burst(host: HostProcess, token: string, endpoint: HostEndpoint, requests: number, sequence: number): Promise<void> {
  let next = 1;
  const worker = async () => {
    while (next <= requests) {
      const index = next++;
      await send(host.origin, token, endpoint.request(index, sequence + index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(endpoint.connections, requests) }, worker));
}

export async function countEndpoints(host: HostProcess, db: Db, token: string, endpoints: readonly HostEndpoint[], burstSize: number): Promise<Record<string, EndpointCount>> {
  const counts: Record<string, EndpointCount> = {};
  let sequence = 1;
  for (const endpoint of endpoints) {
    await resetContacts(db.collection('contacts'));
    await takeCommands(host);
    const started = Date.now();
    const capture = await checkCapture(host, db, token, endpoint, sequence++);
    const firstRequestMs = Date.now() - started;
    const first = await takeCommands(host);
    if (firstRequestMs > SLOW_REQUEST_MS) {
      counts[endpoint.id] = { commands: withoutDdl(first), burst: 1, capture, firstRequestMs };
      continue;
    }
    // The first request may create the plugin's collection and indexes: the burst after it is counted,
    // two waves at the endpoint's concurrency (so batched writes batch as they do under load).
    const requests = Math.min(burstSize, endpoint.connections * 2, (endpoint.pool ?? Infinity) - 1);
    await burst(host, token, endpoint, requests, sequence);
    sequence += requests + 1;
    await flushCaptures(host);
    counts[endpoint.id] = { commands: perRequest(await takeCommands(host), requests), burst: requests, capture, firstRequestMs };
  }
  return counts;
}
