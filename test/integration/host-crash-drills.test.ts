import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditedContacts, contactBurst, startDurableHost } from '../fixtures/durable-host';
import { connectTestMongo, testMongoUri, type TestMongo } from '../helpers/test-databases';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * A host process in the default (durable) mode, killed and stopped while it writes: a write the
 * host acknowledged (its create and its rename both resolved) always has both events.
 */
describe('a host process killed or stopped during a write burst', () => {
  let db: TestMongo;
  let walDirectory: string;

  beforeEach(async () => {
    db = await connectTestMongo('crash_drill');
    walDirectory = mkdtempSync(join(tmpdir(), 'audit-wal-drill-'));
  });

  afterEach(async () => {
    await db?.drop();
    rmSync(walDirectory, { recursive: true, force: true });
  });

  it('SIGKILLed at 10 random points, leaves no acknowledged write without its events once restarted', async () => {
    const acknowledged: string[] = [];
    for (let round = 0; round < 10; round++) {
      const host = await startDurableHost({ mongoUri: testMongoUri(), dbName: db.dbName, walDirectory });
      const burst = contactBurst(host.origin, `round${round}`);
      // A random point once writes are flowing: between a write and its answer, mid-fsync, mid-batch.
      while (burst.acknowledged.length === 0) await sleep(10);
      await sleep(100 + Math.random() * 600);
      host.child.kill('SIGKILL');
      await host.exited;
      await burst.stop();
      acknowledged.push(...burst.acknowledged);
    }
    // The next start replays what the killed processes left in the write-ahead log.
    const host = await startDurableHost({ mongoUri: testMongoUri(), dbName: db.dbName, walDirectory });
    const flushed = await fetch(`${host.origin}/flush`, { method: 'POST' });
    expect(flushed.status).toBe(200);
    host.child.kill('SIGTERM');
    await host.exited;

    const audit = await auditedContacts(db);
    process.stdout.write(`SIGKILL drill: ${acknowledged.length} acknowledged writes, ${audit.contacts.length} contacts, ${audit.events} events\n`);
    expect(acknowledged.length).toBeGreaterThanOrEqual(10);
    expect(audit.missingFor(acknowledged)).toEqual([]);
  }, 600_000);

  it('SIGTERMed mid-burst, finishes the requests in flight and every contact written has its events', async () => {
    const host = await startDurableHost({ mongoUri: testMongoUri(), dbName: db.dbName, walDirectory });
    const burst = contactBurst(host.origin, 'sigterm', 16);
    await sleep(800);
    host.child.kill('SIGTERM');
    const exit = await host.exited;
    await burst.stop();

    const audit = await auditedContacts(db);
    process.stdout.write(`SIGTERM drill: ${burst.acknowledged.length} acknowledged, ${audit.contacts.length} contacts, ${audit.events} events\n`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(burst.acknowledged.length).toBeGreaterThan(10);
    expect(audit.missingFor(burst.acknowledged)).toEqual([]);
    // Requests in flight at the signal finished too: no contact is left without its create event,
    // and none renamed without its rename event.
    expect(audit.contacts.filter((contact) => !audit.created.has(contact.id))).toEqual([]);
    expect(audit.contacts.filter((contact) => contact.renamed && !audit.updated.has(contact.id))).toEqual([]);
    expect(audit.contacts.filter((contact) => !contact.renamed)).toEqual([]);
  }, 300_000);
});
