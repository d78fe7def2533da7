import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { collectionOf, type CommandTally } from '../../bench/crm-host/command-log';
import { BENCH_USER, seedContact } from '../../bench/crm-host/contact-records';
import { send } from '../../bench/crm-host/count-pass';
import { resetContacts, signBenchToken } from '../../bench/crm-host/crm-host-app';
import { hostEndpoints, type HostEndpoint } from '../../bench/crm-host/host-endpoints';
import { AUDIT_OFF, variantById } from '../../bench/crm-host/host-variants';
import { openCrmHost, type CrmHost } from '../../bench/crm-host/open-crm-host';
import { testMongoUri, uniqueName } from '../helpers/test-databases';

/**
 * What each bench host endpoint costs the host in database commands, with crm-audit-log installed,
 * beyond the same host without it: command monitoring on the host's own connection, one request
 * per endpoint. Exact counts and projections, so a change cannot add a read, or widen one, unnoticed.
 * 150 records: more than the driver's first batch of 101, so the updateMany id read shows it takes one round trip.
 */
const RECORDS = 150;
const token = signBenchToken(BENCH_USER);
const hosts: Record<'off' | 'ours', { host: CrmHost; origin: string; server: Server }> = {} as never;
let endpoints: HostEndpoint[];
/** Every request changes what it writes (a new phone number, a new stage). */
let sequence = 1;

const isAuditStore = (command: string) => collectionOf(command).startsWith('audit_');
/** `list` less one of each command in `removed`. */
function without(list: readonly string[], removed: readonly string[]): string[] {
  const left = [...list];
  for (const command of removed) if (left.includes(command)) left.splice(left.indexOf(command), 1);
  return left;
}
const sorted = (tally: CommandTally) => Object.entries(tally).flatMap(([command, count]) => Array.from({ length: count }, () => command)).sort();

beforeAll(async () => {
  // The recorder writes only when the test flushes, never mid-request on its timer.
  process.env.BENCH_FLUSH_INTERVAL_MS = '60000';
  const contacts = Array.from({ length: RECORDS }, (_, index) => seedContact(index));
  endpoints = hostEndpoints(contacts.map((contact, index) => ({ id: contact._id.toHexString(), index })));
  for (const id of [AUDIT_OFF, 'ours'] as const) {
    const host = await openCrmHost(variantById(id), { uri: testMongoUri(), dbName: uniqueName(`host_commands_${id}`), monitorCommands: true });
    await host.capture.ready;
    await host.connection.db!.collection('contacts').insertMany(contacts);
    const server = host.app.listen(0, '127.0.0.1');
    await new Promise((listening) => server.once('listening', listening));
    hosts[id] = { host, server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }
});

afterAll(async () => {
  delete process.env.BENCH_FLUSH_INTERVAL_MS;
  for (const { host, server } of Object.values(hosts)) {
    server.close();
    await host.connection.dropDatabase().catch(() => undefined);
    await host.close();
  }
});

/** The commands one request sends on the request path, and the audit log's writes after it (flushed). */
async function commandsOf(id: 'off' | 'ours', endpointId: HostEndpoint['id']): Promise<{ requestPath: string[]; eventWrites: string[] }> {
  const { host, origin } = hosts[id];
  const endpoint = endpoints.find((candidate) => candidate.id === endpointId)!;
  await resetContacts(host.connection.db!.collection('contacts'));
  host.commands!.take();
  await send(origin, token, endpoint.request(0, sequence++));
  await host.capture.flush();
  // The full id list of a large updateMany is stored off the request path, on the next turn.
  await new Promise((turn) => setTimeout(turn, 50));
  const all = sorted(host.commands!.take());
  return { requestPath: all.filter((command) => !isAuditStore(command)), eventWrites: all.filter(isAuditStore) };
}

async function extraCommands(endpointId: HostEndpoint['id']): Promise<{ off: string[]; extra: string[]; eventWrites: string[] }> {
  const off = await commandsOf('off', endpointId);
  const ours = await commandsOf('ours', endpointId);
  expect(off.eventWrites).toEqual([]);
  return { off: off.requestPath, extra: without(ours.requestPath, off.requestPath), eventWrites: ours.eventWrites };
}

describe('database commands crm-audit-log adds to each bench host endpoint', () => {
  it('adds none to a create, and writes its event afterwards in one batch', async () => {
    expect(await extraCommands('create')).toEqual({ off: ['insert contacts'], extra: [], eventWrites: ['insert audit_events'] });
  });

  it('adds none to a load-and-save update (the loaded document is its own before-image)', async () => {
    expect(await extraCommands('save')).toEqual({ off: ['find contacts', 'update contacts'], extra: [], eventWrites: ['insert audit_events'] });
  });

  it('adds one read to a findOneAndUpdate with a plain object, projected to the 16 fields the form sends and the display-name fields', async () => {
    // _id, the form's 16 fields, and the default display-name fields the form does not send (name, title, fullName, displayName, number, subject).
    expect(await extraCommands('findOneAndUpdate')).toEqual({ off: ['findAndModify contacts'], extra: ['find contacts {23 fields}'], eventWrites: ['insert audit_events'] });
  });

  it('adds one read to an updateOne with $set and $push, projected to what it writes and the display-name fields', async () => {
    // _id, stage, lastContactedAt, activity and the 7 default display-name fields.
    expect(await extraCommands('updateOne')).toEqual({ off: ['update contacts'], extra: ['find contacts {11 fields}'], eventWrites: ['insert audit_events'] });
  });

  it('adds none to a list that hydrates 100 documents, and records nothing', async () => {
    expect(await extraCommands('list')).toEqual({ off: ['find contacts'], extra: [], eventWrites: [] });
  });

  it('adds one ids-only read to an updateMany over 150 records, past the driver\'s first batch of 101', async () => {
    const { off, extra, eventWrites } = await extraCommands('updateMany');
    expect({ off, extra }).toEqual({ off: ['update contacts'], extra: ['find contacts {_id}'] });
    // One event for the whole write; the 150 ids beyond the event's 100 are kept beside it.
    expect(eventWrites.filter((command) => command.startsWith('insert'))).toEqual(['insert audit_affected_records', 'insert audit_events']);
  });

  it('adds one read to a soft delete, projected to the soft-delete flag and the display-name fields', async () => {
    // _id, removed and the 7 default display-name fields.
    expect(await extraCommands('softDelete')).toEqual({ off: ['update contacts'], extra: ['find contacts {9 fields}'], eventWrites: ['insert audit_events'] });
  });
});
