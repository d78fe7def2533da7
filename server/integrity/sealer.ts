import { randomUUID } from 'node:crypto';
import type { ObjectId } from 'mongodb';
import type { Logger } from 'pino';
import { hashedPartBytes, type StoredEventV2 } from '../events/capture';
import { signCheckpoint, type TCheckpoint } from './checkpoint';
import { createNoteBacklog, earliestStamp, forgetNotesBefore, mergeNotes, pickArrivalBatch, windowStart, type NotedArrival } from './arrival-window';
import type { IntegrityRepository, LogState, PendingBatch } from './integrity.repository';
import { packingStart } from './leaf-blocks';
import { leafHash } from './merkle';
import { appendLeaves, frontierRoot } from './merkle-frontier';
import { createSealedIds } from './sealed-ids';
import type { SigningKey } from './signing-keys';

/** The port the sealer reads and marks stored events through; the events slice implements it. */
export interface SealableEvents {
  tenantsWithUnsealed(): Promise<string[]>;
  /** The fast path: the writers' notes of written events, with their leaf hashes (arrival-window.ts, event-seals.repository.ts). */
  tenantsWithArrivals(): Promise<string[]>;
  /** Noted events stamped at or after `since` (all without), but none from the stored notes `except`. */
  arrivalsNotedSince(tenantId: string, since: Date | null, except?: ObjectId[]): Promise<NotedArrival[]>;
  forgetArrivalsBefore(tenantId: string, before: Date): Promise<void>;
  sealedIdsAt(tenantId: string, from: number, to: number): Promise<string[]>;
  unsealed(tenantId: string, limit: number): Promise<Array<{ _id: ObjectId; receivedAt: Date }>>;
  byIds(tenantId: string, ids: ObjectId[]): Promise<Array<{ _id: ObjectId; receivedAt: Date }>>;
  writeSeals(tenantId: string, seals: { id: ObjectId; position: number }[], sealedAt: Date): Promise<void>;
}

export const SEALER_DEFAULTS = { batchSize: 5_000, pollIntervalMs: 1_000, leaseMs: 5_000, checkpointIntervalMs: 30_000, lagBoundMs: 10_000 };
export type SealerSettings = typeof SEALER_DEFAULTS;
const FULL_SEARCH_MS = 300_000;
const SEARCH_BESIDE_LEASE_MS = 5_000;
/** Where a pass finds events to seal: the events themselves, or the writers' arrival notes (sealer.ts, tenantsToSeal). */
type Search = 'events' | 'arrivals';
type PassOptions = { checkpoint?: 'due' | 'now'; search?: Search };
type BatchEvent = { _id: ObjectId; receivedAt: Date; leaf?: Buffer };
/** A batch to seal; from notes, with the arrival mark to commit and the wall-clock time they were read. */
type FoundBatch = { batch: BatchEvent[]; full: boolean; fromNotes?: { mark: Date | null; readAt: number; read: NotedArrival[]; left: NotedArrival[] } };

export interface SealerDeps {
  events: SealableEvents;
  store: IntegrityRepository;
  /** Without a key the sealer still seals; checkpoints need it. */
  signer?: SigningKey;
  logName?: string;
  logger: Logger;
  clock?: () => Date;
  settings?: Partial<SealerSettings>;
  /** Each checkpoint signed here, once stored: publishing outside the database (checkpoint-publisher.ts). Not awaited. */
  onCheckpoint?: (checkpoint: TCheckpoint) => void;
}

/** The stored notes these arrivals were read from, each once. */
function noteIds(arrivals: NotedArrival[]): ObjectId[] {
  const notes = new Map<string, ObjectId>();
  for (const { note } of arrivals) if (note) notes.set(note.toHexString(), note);
  return [...notes.values()];
}

/** The leaf hash of one stored event: SHA-256(0x00 || canonical bytes of its hashed part). */
export function eventLeafHash(event: object): Buffer {
  return leafHash(hashedPartBytes(event as StoredEventV2));
}

/**
 * Gives every stored event of a tenant its position in the tenant's log, in one defined order (the
 * events unsealed at the time of a pass, by receivedAt then id: a retried batch that lands late is
 * appended after what was sealed before it), one sealer per tenant at a time (a lease on the
 * tenant's log document, taken and kept with conditional updates), and signs a checkpoint at least
 * every `checkpointIntervalMs` while the tree grows. The failure cases are in docs/INTEGRITY.md.
 */
export function createSealer(deps: SealerDeps) {
  const settings = { ...SEALER_DEFAULTS, ...deps.settings };
  const clock = deps.clock ?? (() => new Date());
  const owner = `${process.pid}-${randomUUID()}`;
  const counters = { sealed: 0, batches: 0, checkpoints: 0, lastLagMs: 0, maxLagMs: 0, lostLeases: 0 };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const passes = new Map<string, Promise<void>>();
  /** Tenants whose lease this sealer took and has not lost: handed back on stop. */
  const leased = new Set<string>();
  const logUpdates = new Map<string, Promise<unknown>>();
  let [lastSearch, lastFullSearch] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  /** A pass since the last search found a tenant's lease held by another sealer: this one may be standing by. */
  let leaseRefused = false;
  let forgetting = Promise.resolve();
  const backlog = createNoteBacklog();
  const sealedIds = createSealedIds((tenantId, from, to) => deps.events.sealedIdsAt(tenantId, from, to));

  /**
   * Seals one batch of a tenant under a held lease; returns the log as committed and whether more
   * may be waiting (the batch was full, or it was a pending one sealed again), null when there was
   * nothing to seal, 'lost' when the lease went to another sealer.
   */
  async function sealBatch(tenantId: string, state: LogState, search: Search): Promise<{ log: LogState; more: boolean } | null | 'lost'> {
    const startedAt = Date.now();
    const found = state.pending ? await pendingBatch(tenantId, state, state.pending) : await nextBatch(tenantId, state, search);
    if (found === 'lost') return lostLease(tenantId);
    if (!found) return null;
    const { batch, fromNotes } = found;
    const foundAt = Date.now();
    const leaves = batch.map((event) => event.leaf ?? eventLeafHash(event));
    const { frontier, completed } = appendLeaves({ size: state.size, hashes: state.frontier }, leaves);
    // The lease is renewed before the writes: a slow database must not let it lapse mid-batch (and a
    // sealer that finds it taken stops before writing). A new batch's beginBatch renewed it just now;
    // a pending one (begun by a sealer that died) is renewed here. The tree and the seals are independent inserts.
    if (state.pending && !(await renew(tenantId))) return lostLease(tenantId);
    const now = clock();
    // A log an earlier version sealed packs its leaves from the next block on (leaf-blocks.ts).
    const packedFrom = state.packedFrom ?? packingStart(state.size);
    const ids = batch.map((event) => event._id);
    await Promise.all([
      deps.store.writeTree(tenantId, { from: state.size, ids, leaves, completed, packedFrom }),
      deps.events.writeSeals(tenantId, batch.map((event, i) => ({ id: event._id, position: state.size + i })), now),
    ]);
    if (!(await serially(tenantId, () => deps.store.commitBatch(tenantId, lease(), state.size, { size: frontier.size, frontier: frontier.hashes, arrivalMark: fromNotes?.mark, packedFrom })))) return lostLease(tenantId);
    sealedIds.committed(tenantId, state.size, ids);
    if (fromNotes) backlog.keep(tenantId, frontier.size, fromNotes.read, fromNotes.left);
    if (fromNotes?.mark) forgetNotes(tenantId, forgetNotesBefore(fromNotes.mark, fromNotes.readAt));
    const lagMs = Math.max(0, now.getTime() - Math.min(...batch.map((event) => event.receivedAt.getTime())));
    Object.assign(counters, { sealed: counters.sealed + batch.length, batches: counters.batches + 1, lastLagMs: lagMs, maxLagMs: Math.max(counters.maxLagMs, lagMs) });
    deps.logger.debug({ tenantId, size: frontier.size, events: batch.length, search, findMs: foundAt - startedAt, writeMs: Date.now() - foundAt, lagMs }, 'integrity: batch sealed');
    if (lagMs > settings.lagBoundMs) deps.logger.warn({ tenantId, lagMs, boundMs: settings.lagBoundMs }, 'integrity: sealing lag above the bound');
    // The log as committed, known without reading it back: no other sealer writes it while the lease is this one's.
    const log: LogState = { ...state, size: frontier.size, frontier: frontier.hashes, pending: null, needsCheckpoint: true, packedFrom, ...(fromNotes?.mark && { arrivalMark: fromNotes.mark }) };
    await maybeCheckpoint(tenantId, log, now);
    return { log, more: state.pending !== null || found.full };
  }

  /**
   * The next events to seal, recorded as the pending batch (write-ahead) before anything is written;
   * null when there are none. From notes: only those stamped since the tenant's arrival mark (less
   * the lateness allowed), told apart from the sealed ones by the seals themselves (sealed-ids.ts).
   */
  async function nextBatch(tenantId: string, state: LogState, search: Search): Promise<FoundBatch | 'lost' | null> {
    let found: FoundBatch;
    if (search === 'events') {
      const batch = await deps.events.unsealed(tenantId, settings.batchSize);
      found = { batch, full: batch.length >= settings.batchSize };
    } else {
      const readAt = Date.now(); // the stamps' clock (the writers' wall clocks), not the injectable `clock`
      const { since, held } = backlog.plan(tenantId, state);
      const seen = backlog.seen(tenantId);
      let read = await deps.events.arrivalsNotedSince(tenantId, since, seen.notes);
      const sealed = await sealedIds.upTo(tenantId, state.size);
      const isSealed = (id: ObjectId) => sealed.has(id.toHexString());
      // Nothing new in the window to seal: a note that became visible later than the lateness after
      // its stamp may be there below the window (seen under load). The tenant's other notes are read
      // then: few (sealed ones are deleted), and packed, so cheap to scan.
      if (since && !read.some((arrival) => !isSealed(arrival._id)) && held.length === 0) read = [...read, ...(await deps.events.arrivalsNotedSince(tenantId, null, [...seen.notes, ...noteIds(read)]))];
      const noted = mergeNotes(held, read);
      const { batch, left, mark } = pickArrivalBatch(noted, isSealed, settings.batchSize, state.arrivalMark);
      found = { batch, full: left.length > 0, fromNotes: { mark, readAt, read, left } };
      if (batch.length === 0) backlog.keep(tenantId, state.size, read, left);
      // Nothing to seal: the notes read are all sealed, and those old enough go (an idle tenant's last ones).
      const forgettable = mark && forgetNotesBefore(mark, readAt);
      const oldest = Math.min(seen.oldest?.getTime() ?? Number.POSITIVE_INFINITY, earliestStamp(noted));
      if (batch.length === 0 && forgettable && oldest < forgettable.getTime()) forgetNotes(tenantId, forgettable);
    }
    if (found.batch.length === 0) return null;
    const pending = { from: state.size, ids: found.batch.map((event) => event._id) };
    return (await serially(tenantId, () => deps.store.beginBatch(tenantId, lease(), state.size, pending))) ? found : 'lost';
  }

  /**
   * A batch begun by a sealer that died is sealed again, ids and order unchanged: the same leaves
   * (from the notes of the window it was read from, else from the events; an event gone is left out).
   */
  async function pendingBatch(tenantId: string, state: LogState, pending: PendingBatch): Promise<FoundBatch> {
    const noted = new Map<string, BatchEvent>((await deps.events.arrivalsNotedSince(tenantId, windowStart(state.arrivalMark))).map((event) => [event._id.toHexString(), event]));
    const unnoted = pending.ids.filter((id) => !noted.has(id.toHexString()));
    if (unnoted.length > 0) for (const event of await deps.events.byIds(tenantId, unnoted)) noted.set(event._id.toHexString(), event);
    return { batch: pending.ids.map((id) => noted.get(id.toHexString())).filter((event) => event !== undefined), full: true };
  }

  /**
   * Deletes sealed notes off the batch's path (measured: 0.7–4.5 s for 5,000 notes while three
   * writers load FerretDB), one delete at a time; a pass waits for them before it ends.
   */
  function forgetNotes(tenantId: string, before: Date): void {
    forgetting = forgetting
      .then(() => deps.events.forgetArrivalsBefore(tenantId, before))
      .then(() => backlog.forgot(tenantId, before))
      .catch((error: unknown) => deps.logger.warn({ err: error, tenantId }, 'integrity: could not delete sealed arrival notes; the next batch does'));
  }

  const renew = (tenantId: string) => serially(tenantId, () => deps.store.acquireLease(tenantId, owner, clock(), settings.leaseMs));
  /** This sealer's lease as a conditional update renews it. */
  const lease = () => ({ owner, until: new Date(clock().getTime() + settings.leaseMs) });

  /**
   * Updates of a tenant's log document from this process, one at a time. FerretDB v1 updates a
   * document by reading it whole and writing it back, so two updates at once lose one: seen in the
   * concurrency drill as the heartbeat's lease renewal writing back the size from before a commit
   * it overlapped (the log went from 5,000 back to 500 and a batch was sealed twice).
   */
  function serially<T>(tenantId: string, update: () => Promise<T>): Promise<T> {
    const run = (logUpdates.get(tenantId) ?? Promise.resolve()).then(update);
    const settled = run.catch(() => undefined);
    logUpdates.set(tenantId, settled);
    void settled.then(() => logUpdates.get(tenantId) === settled && logUpdates.delete(tenantId));
    return run;
  }

  function lostLease(tenantId: string): 'lost' {
    leased.delete(tenantId);
    counters.lostLeases++;
    backlog.drop(tenantId);
    deps.logger.warn({ tenantId }, 'integrity: lost the sealing lease mid-batch; another sealer continues');
    return 'lost';
  }

  async function maybeCheckpoint(tenantId: string, state: LogState, now: Date, force = false): Promise<TCheckpoint | null> {
    if (!deps.signer || state.size === 0) return null;
    const last = state.lastCheckpoint;
    if (last && last.size === state.size) return null;
    if (!force && last && now.getTime() - last.time.getTime() < settings.checkpointIntervalMs) return null;
    const checkpoint = signCheckpoint({ tenantId, size: state.size, rootHash: frontierRoot({ size: state.size, hashes: state.frontier }).toString('base64'), time: now }, deps.signer, deps.logName);
    await serially(tenantId, () => deps.store.addCheckpoint(checkpoint));
    state.lastCheckpoint = { size: checkpoint.size, time: checkpoint.time };
    counters.checkpoints++;
    deps.onCheckpoint?.(checkpoint);
    return checkpoint;
  }

  /** Seals what a tenant has unsealed (while the lease holds), then checkpoints if due. */
  function sealTenant(tenantId: string, options: PassOptions = {}): Promise<void> {
    // One pass per tenant at a time in this process: a second one (checkpointNow beside the
    // background pass) would hold the same lease and seal the same batch alongside. It waits, then runs.
    const previous = passes.get(tenantId) ?? Promise.resolve();
    const pass = previous.then(() => sealTenantNow(tenantId, options));
    const settled = pass.catch(() => undefined);
    passes.set(tenantId, settled);
    void settled.then(() => passes.get(tenantId) === settled && passes.delete(tenantId));
    return pass;
  }

  async function sealTenantNow(tenantId: string, options: PassOptions): Promise<void> {
    const state = await serially(tenantId, () => deps.store.takeLease(tenantId, owner, clock(), settings.leaseMs));
    if (!state) return void (leaseRefused = true);
    leased.add(tenantId);
    // A live sealer keeps its lease while a slow write runs; a killed one stops renewing and its lease lapses.
    const heartbeat = setInterval(() => void renew(tenantId).catch(() => undefined), settings.leaseMs / 3);
    try {
      await sealUnderLease(tenantId, state, options);
    } finally {
      clearInterval(heartbeat);
      await forgetting;
    }
  }

  /**
   * Batches until one is not full: at steady ingest a pass seals what arrived since the last one
   * in one batch, and what arrives meanwhile waits for the next pass (the poll interval) rather than
   * a pass of its own. Then a checkpoint if due.
   */
  async function sealUnderLease(tenantId: string, state: LogState, options: PassOptions): Promise<void> {
    let log = state;
    for (;;) {
      if (stopped) return;
      const sealed = await sealBatch(tenantId, log, options.search ?? 'events');
      if (sealed === 'lost') return;
      if (!sealed) break;
      log = sealed.log;
      if (!sealed.more) break;
    }
    await maybeCheckpoint(tenantId, log, clock(), options.checkpoint === 'now');
  }

  /** One pass over every tenant with unsealed events, plus due checkpoints of those sealed earlier. */
  async function sealAll(options: { checkpoint?: 'due' | 'now'; tenants?: string[] } = {}): Promise<void> {
    if (options.tenants) {
      for (const tenantId of options.tenants) await sealTenant(tenantId, { ...options, search: 'events' });
      return;
    }
    // Due checkpoints first: a search of the events (below) may take long on a big collection.
    const due = deps.signer ? await deps.store.tenantsDueCheckpoint() : [];
    for (const tenantId of due) await sealTenant(tenantId, { ...options, search: 'arrivals' });
    const { tenants, search } = await tenantsToSeal();
    // A tenant passed just now for its checkpoint has read its notes already: only a search of the events finds more.
    for (const tenantId of tenants) if (search === 'events' || !due.includes(tenantId)) await sealTenant(tenantId, { ...options, search });
  }

  /**
   * Where to look for events to seal. Reading events may scan every one of them (FerretDB v1), so a
   * background pass reads the small arrival notes the writers leave (the fast path), and the events
   * themselves at least every FULL_SEARCH_MS, 5 minutes (what a process that died between writing and noting
   * left, or what was stored by other means). While another live sealer holds a lease it was refused,
   * this one searches at most every SEARCH_BESIDE_LEASE_MS (it stands by).
   */
  async function tenantsToSeal(): Promise<{ tenants: string[]; search: Search }> {
    const now = clock().getTime();
    const none = { tenants: [], search: 'arrivals' as const };
    const overdue = now - lastFullSearch >= FULL_SEARCH_MS;
    // Asked only after a pass was refused a lease: the sealer holding them never asks.
    if (!overdue && leaseRefused && now - lastSearch < SEARCH_BESIDE_LEASE_MS && (await deps.store.leasedByOthers(owner, clock())) > 0) return none;
    [lastSearch, leaseRefused] = [now, false];
    if (overdue) {
      lastFullSearch = now;
      return { tenants: await deps.events.tenantsWithUnsealed(), search: 'events' };
    }
    return { tenants: await deps.events.tenantsWithArrivals(), search: 'arrivals' };
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sealAll()
        .catch((error: unknown) => deps.logger.error({ err: error }, 'integrity: sealing pass failed; trying again'))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, settings.pollIntervalMs);
  }

  return {
    owner,
    sealAll,
    sealTenant,
    /** Signs a checkpoint of the tenant's current tree now (if it grew since the last one). */
    async checkpointNow(tenantId: string): Promise<TCheckpoint | null> {
      await sealTenant(tenantId, { checkpoint: 'now' });
      return deps.store.latestCheckpoint(tenantId);
    },
    metrics: () => ({ ...counters }),
    start(): void {
      stopped = false;
      if (!timer && !running) schedule();
    },
    /** Ends the background pass, then hands back the leases held, so a standby takes over at its next poll, not after they lapse. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
      await Promise.all([...passes.values()]);
      await Promise.all([...leased].map((tenantId) => serially(tenantId, () => deps.store.releaseLease(tenantId, owner)).catch((error: unknown) => deps.logger.warn({ err: error, tenantId }, 'integrity: could not hand back the sealing lease; it lapses'))));
      leased.clear();
    },
  };
}

export type Sealer = ReturnType<typeof createSealer>;
