import mongoose, { type Connection } from 'mongoose';
import pino from 'pino';
import { createAuditServer, type AuditServer } from '../../server/audit-server';
import { generateSigningKey } from '../../server/integrity';
import { testMongoUri, uniqueName } from '../helpers/test-databases';

/**
 * What sealing costs the database, command by command (command monitoring on the connection the
 * writers and the sealer share): the writers' one note insert per written batch, and the sealer's
 * commands per pass and the documents its inserts carry, driven by hand (no background timer) so that
 * every count is exact. A change that adds a command to the sealer's pass, or a document per event to
 * the notes or the tree, fails here.
 */
const TENANT = 'sealer-commands';
const IGNORED = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'buildInfo', 'saslStart', 'saslContinue']);
/** `documents`: those an insert sent; `returned`: those a find's reply held. */
type Sent = { name: string; documents?: number; returned?: number };
let connection: Connection;
let server: AuditServer;
let sent: Sent[] = [];

beforeAll(async () => {
  connection = await mongoose.createConnection(testMongoUri(), { dbName: uniqueName('sealer_commands'), monitorCommands: true }).asPromise();
  const started = new Map<number, Sent>();
  connection.getClient().on('commandStarted', ({ commandName, command, requestId }) => {
    if (IGNORED.has(commandName)) return;
    const target = commandName === 'getMore' ? command.collection : command[commandName];
    const one: Sent = { name: `${commandName} ${String(target)}`, ...(Array.isArray(command.documents) ? { documents: command.documents.length } : {}) };
    started.set(requestId, one);
    sent.push(one);
  });
  connection.getClient().on('commandSucceeded', ({ requestId, reply }) => {
    const one = started.get(requestId);
    started.delete(requestId);
    const batch = (reply as { cursor?: { firstBatch?: unknown[] } }).cursor?.firstBatch;
    if (one && batch) one.returned = batch.length;
  });
  // seal: false: no background pass; a long lease: no heartbeat renewal inside a pass, however slow the machine.
  server = createAuditServer({ connection, logger: pino({ level: 'silent' }), integrity: { signingKey: generateSigningKey('commands-2026').signerKey, seal: false, sealer: { leaseMs: 600_000 } } });
  await server.ready;
  // The first pass of a sealer searches the events themselves (at least every 5 minutes): not the pass pinned here.
  await server.services.integrity.sealer.sealAll();
}, 120_000);

afterAll(async () => {
  await server?.close();
  await connection?.dropDatabase().catch(() => undefined);
  await connection?.close();
});

async function commandsOf(work: () => Promise<unknown>): Promise<Sent[]> {
  sent = [];
  await work();
  return sent.splice(0);
}

const names = (commands: Sent[]) => commands.map((command) => command.name).sort();
/** Documents the inserts sent, by collection: on FerretDB v1 an insert's cost is per document. */
const inserted = (commands: Sent[]) => {
  const documents: Record<string, number> = {};
  for (const { name, documents: sentDocuments } of commands) if (name.startsWith('insert ')) documents[name.slice('insert '.length)] = (documents[name.slice('insert '.length)] ?? 0) + (sentDocuments ?? 0);
  return documents;
};

async function write(count: number, from: number): Promise<Sent[]> {
  return commandsOf(async () => {
    for (let i = from; i < from + count; i++) {
      server.services.events.recorder.record({ tenantId: TENANT, actor: { id: 'user-1', name: 'User One', type: 'user' }, action: 'record.updated', subject: { type: 'contact', id: `contact-${i}`, name: `Contact ${i}` }, description: `Updated contact ${i}` });
    }
    await server.services.flush();
    // Each batch is noted once written, not awaited by flush: wait for the notes.
    const inserted = (name: string) => sent.filter((command) => command.name === name).length;
    while (inserted('insert audit_event_arrivals') < inserted('insert audit_events')) await new Promise((done) => setTimeout(done, 20));
  });
}

it('notes each written batch in one insert of one document per tenant, beside the events insert', async () => {
  const commands = await write(1_200, 0);
  const events = commands.filter((command) => command.name === 'insert audit_events');
  const notes = commands.filter((command) => command.name === 'insert audit_event_arrivals');
  expect(events.length).toBeGreaterThan(0);
  expect(notes).toHaveLength(events.length);
  expect(notes.every((note) => note.documents === 1)).toBe(true);
  expect(names(commands).filter((name) => name !== 'insert audit_events' && name !== 'insert audit_event_arrivals')).toEqual([]);
}, 60_000);

it("seals a tenant's first batch in twelve commands, its log created and its first checkpoint signed", async () => {
  const { sealer, store } = server.services.integrity;
  const commands = await commandsOf(() => sealer.sealAll());
  expect((await store.state(TENANT))?.size).toBe(1_200);
  // A seal per event; the tree: 5 leaf runs (one per 256-position block the batch touched) and the
  // 7 nodes at levels 8–10 it completed (leaf-blocks.ts). Every completed node was stored before: 2,396.
  expect(inserted(commands)).toEqual({ audit_event_seals: 1_200, audit_integrity_nodes: 5 + 7, audit_integrity_logs: 1, audit_integrity_checkpoints: 1 });
  expect(names(commands)).toEqual([
    'delete audit_event_arrivals', // the notes the mark has passed
    'distinct audit_event_arrivals', // tenants with notes
    'find audit_event_arrivals', // the notes since the mark
    'find audit_integrity_logs', // tenants due a checkpoint
    'findAndModify audit_integrity_logs', // the lease, and the log as it is
    'insert audit_event_seals',
    'insert audit_integrity_checkpoints',
    'insert audit_integrity_logs', // the tenant's log, on first use
    'insert audit_integrity_nodes',
    'update audit_integrity_logs', // beginBatch: the pending batch (write-ahead), the lease renewed
    'update audit_integrity_logs', // commitBatch: size, frontier, mark, the lease renewed
    'update audit_integrity_logs', // the checkpoint recorded on the log
  ]);
}, 60_000);

it('seals the next batch in nine commands and reads no note twice', async () => {
  const { sealer, store } = server.services.integrity;
  const notes = (await write(700, 1_200)).filter((command) => command.name === 'insert audit_event_arrivals').length;
  const commands = await commandsOf(() => sealer.sealAll());
  expect((await store.state(TENANT))?.size).toBe(1_900);
  // Positions 1,200–1,899: runs cut at 1,280, 1,536 and 1,792, and nodes (8, 4), (8, 5), (8, 6), (9, 2). Before: 1,397 nodes.
  expect(inserted(commands)).toEqual({ audit_event_seals: 700, audit_integrity_nodes: 4 + 4 });
  // The window still holds the first batch's notes: they are left out of the read, only the new ones come back.
  expect(commands.filter((command) => command.name === 'find audit_event_arrivals').map((command) => command.returned)).toEqual([notes]);
  expect(names(commands)).toEqual([
    'delete audit_event_arrivals',
    'distinct audit_event_arrivals',
    'find audit_event_arrivals',
    'find audit_integrity_logs',
    'findAndModify audit_integrity_logs',
    'insert audit_event_seals',
    'insert audit_integrity_nodes',
    'update audit_integrity_logs',
    'update audit_integrity_logs',
  ]);
}, 60_000);

it('passes a tenant with nothing new in five commands and writes nothing but its lease', async () => {
  const { sealer, store } = server.services.integrity;
  const commands = await commandsOf(() => sealer.sealAll());
  expect((await store.state(TENANT))?.size).toBe(1_900);
  expect(commands.filter((command) => command.name === 'find audit_event_arrivals').map((command) => command.returned)).toEqual([0, 0]);
  expect(names(commands)).toEqual([
    'distinct audit_event_arrivals',
    'find audit_event_arrivals', // the window: nothing it has not read
    'find audit_event_arrivals', // below the window, for a note visible late: nothing
    'find audit_integrity_logs',
    'findAndModify audit_integrity_logs',
  ]);
}, 60_000);
