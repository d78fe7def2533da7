import type { CommandStartedEvent } from 'mongodb';
import { storedEvents } from '../fixtures/stored-events';
import { startTestCrm, type CrmClient, type TestCrm } from '../fixtures/crm-harness';

/**
 * Recording must not cost the host's request a MongoDB round trip: events are queued and written
 * in batches afterwards. The driver's command monitoring lists every command a request sends.
 */
let crm: TestCrm;
let alice: CrmClient;
let commands: string[] | undefined;

const DATA_COMMANDS = new Set(['find', 'insert', 'update', 'delete', 'findAndModify', 'aggregate', 'count', 'getMore']);

beforeAll(async () => {
  // A long flush interval: the batch is written only when the test flushes, never mid-request by a timer.
  crm = await startTestCrm('crm_request_path', { flushIntervalMs: 60_000 });
  crm.connection.getClient().on('commandStarted', (event: CommandStartedEvent) => {
    if (commands && DATA_COMMANDS.has(event.commandName)) commands.push(`${event.commandName} ${String(event.command[event.commandName])}`);
  });
  alice = await crm.signIn('acme', 'alice@acme.test');
});

afterAll(() => crm.stop());

async function commandsDuring(request: () => Promise<unknown>): Promise<string[]> {
  await crm.auditLog.flush();
  commands = [];
  await request();
  const seen = commands;
  commands = undefined;
  return seen;
}

describe('the request path', () => {
  it('sends only the host\'s own commands when a contact update is recorded', async () => {
    const contact = await alice.contacts.create.mutate({ name: 'Rita Roundtrip', email: 'rita@old.test' });
    const seen = await commandsDuring(() => alice.contacts.update.mutate({ id: String(contact._id), patch: { email: 'rita@new.test' } }));
    expect(seen).toEqual(['find sessions', 'find contacts', 'update contacts']);
    // The response came back before its event was written: it waits in the queue.
    expect(await storedEvents(crm.connection, { 'subject.id': String(contact._id), action: 'record.updated' })).toEqual([]);
  });

  it('sends only the host\'s own read when a view is recorded', async () => {
    const contact = await alice.contacts.create.mutate({ name: 'Vic Viewed' });
    const seen = await commandsDuring(() => alice.contacts.get.query({ id: String(contact._id) }));
    expect(seen).toEqual(['find sessions', 'find contacts']);
  });

  it('writes the queued events afterwards, in one batch insert', async () => {
    const contact = await alice.contacts.create.mutate({ name: 'Bo Batch' });
    await commandsDuring(() => alice.contacts.get.query({ id: String(contact._id) }));
    commands = [];
    await crm.auditLog.flush();
    const flushed = commands;
    commands = undefined;
    expect(flushed).toEqual(['insert audit_events']);
    expect(await crm.events({ 'subject.id': String(contact._id), action: 'record.viewed' })).toHaveLength(1);
  });
});
