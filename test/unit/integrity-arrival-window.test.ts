import { ObjectId } from 'mongodb';
import { createNoteBacklog, forgetNotesBefore, mergeNotes, NOTE_LATENESS_MS, pickArrivalBatch, windowStart, type NotedArrival } from '../../server/integrity/arrival-window';
import { createSealedIds } from '../../server/integrity/sealed-ids';

/** The arrival mark's arithmetic (server/integrity/arrival-window.ts) and the sealed-id set it relies on. */
const T0 = Date.parse('2026-12-01T10:00:00Z');
const at = (ms: number) => new Date(T0 + ms);
const note = (receivedMs: number, notedMs: number): NotedArrival => ({ _id: new ObjectId(), receivedAt: at(receivedMs), notedAt: at(notedMs), leaf: Buffer.alloc(32) });
const none = () => false;

describe('pickArrivalBatch', () => {
  it('seals in stored-time order and marks just past the latest stamp read when nothing is left over', () => {
    const [late, early] = [note(2_000, 2_100), note(1_000, 2_500)];
    const { batch, mark } = pickArrivalBatch([late, early], none, 10, null);
    expect(batch).toEqual([early, late]);
    expect(mark).toEqual(at(2_501));
  });

  it('orders events stored in the same millisecond by id as the database sorts ObjectIds (their hex order)', () => {
    const ids = ['ffffffffffffffffffffffff', '0123456789abcdef01234567', 'a00000000000000000000000', '9fffffffffffffffffffffff', '00000000000000000000000a'];
    const noted = ids.map((hex) => ({ ...note(1_000, 1_100), _id: new ObjectId(hex) }));
    const { batch } = pickArrivalBatch(noted, none, 10, null);
    expect(batch.map((arrival) => arrival._id.toHexString())).toEqual([...ids].sort());
  });

  it('leaves out what is sealed already, however recent its note', () => {
    const [sealed, fresh] = [note(1_000, 1_000), note(1_500, 1_500)];
    const { batch } = pickArrivalBatch([sealed, fresh], (id) => id.equals(sealed._id), 10, null);
    expect(batch).toEqual([fresh]);
  });

  it('marks at the earliest stamp left over when the batch is full, so the next read still holds it', () => {
    const notes = [note(1_000, 5_000), note(2_000, 1_000), note(3_000, 3_000)];
    const { batch, mark } = pickArrivalBatch(notes, none, 1, at(500));
    expect(batch).toEqual([notes[0]]);
    expect(mark).toEqual(at(1_000));
    expect(pickArrivalBatch(notes, none, 1, at(500)).left).toEqual([notes[1], notes[2]]);
  });

  it('never moves the mark back when the notes read are all sealed and older', () => {
    const old = note(100, 100);
    expect(pickArrivalBatch([old], () => true, 10, at(9_000))).toEqual({ batch: [], left: [], mark: at(9_000) });
    expect(pickArrivalBatch([], none, 10, null)).toEqual({ batch: [], left: [], mark: null });
  });

  it('puts a late retry of an old event (old id and stored time, fresh note) in the next batch', () => {
    const sealedBefore = note(50_000, 50_000);
    const retried: NotedArrival = { _id: ObjectId.createFromTime(Math.floor(T0 / 1_000)), receivedAt: at(0), notedAt: at(60_000), leaf: Buffer.alloc(32) };
    const mark = at(50_001);
    // The next read starts NOTE_LATENESS_MS before the mark: the retry's note is stamped after it.
    expect(retried.notedAt >= windowStart(mark)!).toBe(true);
    const { batch } = pickArrivalBatch([sealedBefore, retried], (id) => id.equals(sealedBefore._id), 10, mark);
    expect(batch).toEqual([retried]);
  });
});

describe('the read window and what may be forgotten', () => {
  it('reads everything before the first mark, then from NOTE_LATENESS_MS before it', () => {
    expect(windowStart(null)).toBeNull();
    expect(windowStart(at(20_000))).toEqual(at(20_000 - NOTE_LATENESS_MS));
  });

  it('forgets notes up to the mark, but never ones stamped within NOTE_LATENESS_MS of the read', () => {
    expect(forgetNotesBefore(at(1_000), T0 + 60_000)).toEqual(at(1_000));
    expect(forgetNotesBefore(at(60_000), T0 + 60_000)).toEqual(at(60_000 - NOTE_LATENESS_MS));
  });
});

describe('createNoteBacklog', () => {
  it('reads from the mark first, then only since its last read, holding what it left unsealed', () => {
    const backlog = createNoteBacklog();
    expect(backlog.plan('t', { size: 0, arrivalMark: at(10_000) })).toEqual({ since: at(10_000 - NOTE_LATENESS_MS), held: [] });
    const [sealed, left] = [note(1_000, 20_000), note(2_000, 21_000)];
    backlog.keep('t', 1, [sealed, left], [left]);
    expect(backlog.plan('t', { size: 1, arrivalMark: at(10_000) })).toEqual({ since: at(21_000 - NOTE_LATENESS_MS), held: [left] });
  });

  it('reads from the mark again once the log is not the size it left (another sealer committed)', () => {
    const backlog = createNoteBacklog();
    backlog.keep('t', 1, [note(1_000, 20_000)], []);
    expect(backlog.plan('t', { size: 7, arrivalMark: at(10_000) })).toEqual({ since: at(10_000 - NOTE_LATENESS_MS), held: [] });
  });

  it('remembers the stored notes it read, so that a later read leaves them out, until they are deleted', () => {
    const backlog = createNoteBacklog();
    const [first, second] = [new ObjectId(), new ObjectId()];
    backlog.plan('t', { size: 0, arrivalMark: null });
    backlog.keep('t', 2, [{ ...note(1_000, 20_000), note: first }, { ...note(1_001, 20_000), note: first }], []);
    backlog.plan('t', { size: 2, arrivalMark: at(20_001) });
    backlog.keep('t', 3, [{ ...note(2_000, 25_000), note: second }], []);
    expect(backlog.seen('t')).toEqual({ notes: [first, second], oldest: at(20_000) });
    backlog.forgot('t', at(21_000));
    expect(backlog.seen('t')).toEqual({ notes: [second], oldest: at(25_000) });
  });

  it('keeps each stored note once whatever the order of its arrivals in a read (a held batch merged with a new read)', () => {
    const backlog = createNoteBacklog();
    const [first, second] = [new ObjectId(), new ObjectId()];
    backlog.plan('t', { size: 0, arrivalMark: null });
    const read = [{ ...note(1_000, 20_000), note: first }, { ...note(1_001, 22_000), note: second }, { ...note(1_002, 20_000), note: new ObjectId(first.toHexString()) }, { ...note(1_003, 22_000), note: second }];
    backlog.keep('t', 0, read, []);
    expect(backlog.seen('t').notes.map((id) => id.toHexString()).sort()).toEqual([first, second].map((id) => id.toHexString()).sort());
    expect(backlog.seen('t').oldest).toEqual(at(20_000));
  });

  it('reads every note again once the log is not the size it left: what it held is gone', () => {
    const backlog = createNoteBacklog();
    backlog.keep('t', 1, [{ ...note(1_000, 20_000), note: new ObjectId() }], []);
    backlog.plan('t', { size: 7, arrivalMark: at(10_000) });
    expect(backlog.seen('t')).toEqual({ notes: [], oldest: null });
  });

  it('merges held and newly read notes, each once', () => {
    const [a, b] = [note(1, 1), note(2, 2)];
    expect(mergeNotes([a], [a, b])).toHaveLength(2);
  });
});

describe('createSealedIds', () => {
  it('reads only the positions committed since it last looked, and what this process commits not at all', async () => {
    const reads: Array<[number, number]> = [];
    const stored = Array.from({ length: 10 }, () => new ObjectId());
    const sealed = createSealedIds(async (_tenant, from, to) => (reads.push([from, to]), stored.slice(from, to).map((id) => id.toHexString())));
    expect((await sealed.upTo('t', 4)).size).toBe(4);
    sealed.committed('t', 4, stored.slice(4, 6));
    expect((await sealed.upTo('t', 6)).has(stored[5]!.toHexString())).toBe(true);
    expect((await sealed.upTo('t', 10)).size).toBe(10); // another sealer committed 6 … 9
    expect(reads).toEqual([[0, 4], [6, 10]]);
  });

  it('reads again from the start when the log is smaller than it knew (rewritten)', async () => {
    const reads: Array<[number, number]> = [];
    const sealed = createSealedIds(async (_tenant, from, to) => (reads.push([from, to]), []));
    await sealed.upTo('t', 5);
    await sealed.upTo('t', 3);
    expect(reads).toEqual([[0, 5], [0, 3]]);
  });
});
