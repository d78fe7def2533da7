import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BSON, ObjectId } from 'mongodb';
import { WriteAheadLog } from '../../server/recorder/write-ahead-log';

type Doc = { _id: ObjectId; tenantId: string; actor: { email?: string }; occurredAt: Date };
const doc = (email: string): Doc => ({ _id: new ObjectId(), tenantId: 't1', actor: { email }, occurredAt: new Date('2026-01-02T03:04:05.006Z') });
/** Pops until the log has nothing more to give (one pop reads from one segment). */
async function drain(wal: WriteAheadLog<Doc>): Promise<Doc[]> {
  const all: Doc[] = [];
  for (let popped = await wal.pop(100); popped.length > 0; popped = await wal.pop(100)) all.push(...popped);
  return all;
}
const segmentFiles = (root: string) => readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.wal'));

/** The write-ahead log on a real directory: what the recorder relies on across processes. */
describe('the write-ahead log', () => {
  let root: string;
  const open = () => new WriteAheadLog<Doc>({ directory: root, namespace: async () => 'crm', bson: BSON });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'audit-wal-test-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('gives back spilled events with ids and dates intact, and deletes a segment once they are stored', async () => {
    const wal = open();
    const spilled = [doc('a@x.test'), doc('b@x.test')];
    await wal.push(spilled);
    expect(segmentFiles(root)).toHaveLength(1);
    const popped = await wal.pop(10);
    expect(popped).toEqual(spilled);
    expect(popped[0]!._id).toBeInstanceOf(ObjectId);
    wal.settle(popped);
    await wal.close();
    expect(segmentFiles(root)).toEqual([]);
  });

  it('replays a closed owner\'s unsettled journal once, in the next log on the directory, and skips a torn last line', async () => {
    const first = open();
    const journaled = [doc('a@x.test'), doc('b@x.test'), doc('c@x.test')];
    first.append(journaled);
    await first.committed();
    first.settle([journaled[0]!]);
    await first.close();
    const [segment] = segmentFiles(root);
    appendFileSync(join(root, segment!), '{"_id":{"$oid":"65'); // a crash mid-write

    const second = open();
    await second.open();
    const replayed = await drain(second);
    // The settled event is still in the file (segments go whole): replaying it is a duplicate-key no-op.
    expect(replayed.map((event) => event.actor.email).sort()).toEqual(['a@x.test', 'b@x.test', 'c@x.test']);
    expect(second.counters.tornLines).toBe(1);
    expect(await open().pop(10)).toEqual([]); // claimed: a third log finds nothing
    second.settle(replayed);
    await second.close();
    expect(segmentFiles(root)).toEqual([]);
  });

  it('rewrites stored events through a transform and drops those it answers undefined for', async () => {
    const wal = open();
    const journaled = [doc('alice@x.test'), doc('bob@x.test')];
    wal.append(journaled);
    await wal.push([doc('alice@x.test'), doc('carol@x.test')]);
    await wal.keepRejected([{ document: doc('alice@x.test'), reason: 'too large' }]);
    const changed = await wal.rewrite((event) =>
      event.actor.email === 'carol@x.test' ? undefined : event.actor.email === 'alice@x.test' ? { ...event, actor: { email: '[erased]' } } : event,
    );
    expect(changed).toBe(4); // alice three times, carol dropped
    const popped = await wal.pop(10);
    expect(popped.map((event) => event.actor.email)).toEqual(['[erased]']);
    await wal.close();

    const replayed = await drain(open());
    expect(replayed.map((event) => event.actor.email).sort()).toEqual(['[erased]', '[erased]', 'bob@x.test']);
  });
});
