import { ObjectId } from 'mongodb';
import type { EventDocument } from '../../server/events/event.document';
import { BatchRecorder, type BatchRecorderOptions, type BatchWriteResult, type SpillStore, TransientWriteError } from '../../server/recorder/batch-recorder';
import { AuditLogClosedError, AuditLogOverloadedError } from '../../server/recorder/recorder.errors';

/** The recorder's only dependency is a batch writer; here it is an in-memory one we can script. */
function scriptedWriter(script: Array<'ok' | 'down'> = []) {
  const batches: EventDocument[][] = [];
  const stored = new Map<string, EventDocument>();
  const writeBatch = async (documents: EventDocument[]): Promise<BatchWriteResult<EventDocument>> => {
    batches.push([...documents]);
    if (script.shift() === 'down') throw new TransientWriteError(new Error('connection refused'));
    let written = 0;
    for (const document of documents) {
      stored.set(document._id.toHexString(), document);
      written++;
    }
    return { written, rejected: [], retry: [] };
  };
  return { writeBatch, batches, stored };
}

function makeDocument(n: number): EventDocument {
  const at = new Date(1_700_000_000_000 + n);
  return {
    _id: new ObjectId(),
    tenantId: 't1',
    occurredAt: at,
    receivedAt: at,
    actor: { id: 'u1', type: 'user' },
    action: 'record.viewed',
    description: `event ${n}`,
    changes: [],
    editCount: 0,
    status: 'success',
    context: {},
    v: 2,
    personal: [],
    search: { description: `event ${n}` },
  };
}

function makeRecorder(overrides: Partial<BatchRecorderOptions<EventDocument>> & Pick<BatchRecorderOptions<EventDocument>, 'writeBatch'>) {
  const delays: number[] = [];
  const recorder = new BatchRecorder<EventDocument>({
    batchSize: 10,
    flushIntervalMs: 20,
    maxQueuedEvents: 1_000,
    backoff: { initialMs: 10, maxMs: 80, jitter: 0 },
    sleep: async (ms) => void delays.push(ms),
    ...overrides,
  });
  return { recorder, delays };
}

const wait = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

describe('BatchRecorder', () => {
  it('writes a batch as soon as it is full, without waiting for the timer', async () => {
    const writer = scriptedWriter();
    const { recorder } = makeRecorder({ writeBatch: writer.writeBatch, flushIntervalMs: 60_000 });
    for (let n = 0; n < 25; n++) recorder.enqueue(makeDocument(n));
    await wait(10);
    expect(writer.batches.map((batch) => batch.length)).toEqual([10, 10]);
    await recorder.close();
    expect(writer.batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
  });

  it('writes a partial batch once the flush interval has passed', async () => {
    const writer = scriptedWriter();
    const { recorder } = makeRecorder({ writeBatch: writer.writeBatch, flushIntervalMs: 30 });
    recorder.enqueue(makeDocument(1));
    recorder.enqueue(makeDocument(2));
    await wait(5);
    expect(writer.batches).toHaveLength(0);
    await wait(60);
    expect(writer.batches.map((batch) => batch.length)).toEqual([2]);
    expect(recorder.metrics()).toMatchObject({ accepted: 2, written: 2, queued: 0 });
  });

  it('keeps a failed batch and retries it with growing delays until it is written', async () => {
    const writer = scriptedWriter(['down', 'down', 'down', 'ok']);
    const { recorder, delays } = makeRecorder({ writeBatch: writer.writeBatch });
    const documents = Array.from({ length: 10 }, (_, n) => makeDocument(n));
    documents.forEach((document) => recorder.enqueue(document));
    await recorder.flush();
    expect(delays).toEqual([10, 20, 40]);
    expect(writer.batches).toHaveLength(4);
    expect(writer.batches.every((batch) => batch.every((document, index) => document._id.equals(documents[index]!._id)))).toBe(true);
    expect(recorder.metrics()).toMatchObject({ accepted: 10, written: 10, retried: 30, failed: 0 });
  });

  it('retries only the documents the server asked to retry, and counts refused ones as failed', async () => {
    let call = 0;
    const seen: number[] = [];
    const spill = memorySpillStore();
    const { recorder } = makeRecorder({
      spill,
      writeBatch: async (documents) => {
        seen.push(documents.length);
        if (call++ > 0) return { written: documents.length, rejected: [], retry: [] };
        return { written: 7, rejected: [{ document: documents[0]!, reason: 'too large' }], retry: documents.slice(1, 3) };
      },
    });
    for (let n = 0; n < 10; n++) recorder.enqueue(makeDocument(n));
    await recorder.flush();
    expect(seen).toEqual([10, 2]);
    expect(recorder.metrics()).toMatchObject({ written: 9, failed: 1, retried: 2 });
    expect(spill.rejected.map(({ reason }) => reason)).toEqual(['too large']);
  });

  it('reports each stored document once to onWritten, leaving out refused and retried ones until they land', async () => {
    let call = 0;
    const reported: string[][] = [];
    const { recorder } = makeRecorder({
      spill: memorySpillStore(),
      onWritten: (documents) => reported.push(documents.map((document) => document.description)),
      writeBatch: async (documents) => {
        if (call++ > 0) return { written: documents.length, rejected: [], retry: [] };
        return { written: 7, rejected: [{ document: documents[0]!, reason: 'too large' }], retry: documents.slice(1, 3) };
      },
    });
    for (let n = 0; n < 10; n++) recorder.enqueue(makeDocument(n));
    await recorder.flush();
    expect(reported).toEqual([['event 3', 'event 4', 'event 5', 'event 6', 'event 7', 'event 8', 'event 9'], ['event 1', 'event 2']]);
  });

  it('keeps writing when the onWritten listener throws', async () => {
    const writer = scriptedWriter();
    const { recorder } = makeRecorder({
      writeBatch: writer.writeBatch,
      onWritten: () => {
        throw new Error('listener bug');
      },
    });
    for (let n = 0; n < 25; n++) recorder.enqueue(makeDocument(n));
    await recorder.flush();
    expect(recorder.metrics()).toMatchObject({ written: 25, queued: 0 });
  });

  it('without a spill store, refuses events past the memory bound with a clear error', async () => {
    const writer = scriptedWriter(Array(1_000).fill('down'));
    const { recorder } = makeRecorder({ writeBatch: writer.writeBatch, maxQueuedEvents: 100, batchSize: 10 });
    for (let n = 0; n < 100; n++) recorder.enqueue(makeDocument(n));
    expect(() => recorder.enqueue(makeDocument(101))).toThrow(AuditLogOverloadedError);
    expect(recorder.metrics()).toMatchObject({ accepted: 100, overloaded: 1 });
  });

  it('with a spill store, moves events past the bound there and writes them once the database is back', async () => {
    let databaseUp = false;
    const stored = new Map<string, number>();
    const spill = memorySpillStore();
    const { recorder } = makeRecorder({
      spill,
      maxQueuedEvents: 100,
      batchSize: 10,
      sleep: () => wait(2),
      writeBatch: async (documents) => {
        if (!databaseUp) throw new TransientWriteError(new Error('down'));
        documents.forEach((document) => stored.set(document._id.toHexString(), (stored.get(document._id.toHexString()) ?? 0) + 1));
        return { written: documents.length, rejected: [], retry: [] };
      },
    });
    const ids: string[] = [];
    for (let n = 0; n < 300; n++) {
      const document = makeDocument(n);
      recorder.enqueue(document);
      ids.push(document._id.toHexString());
      if (n % 50 === 49) await wait(5); // requests arrive over time, giving the spill a chance to run
    }
    await wait(20);
    expect(recorder.metrics().spilled).toBeGreaterThan(0);
    databaseUp = true;
    await recorder.close();
    expect(stored.size).toBe(300);
    expect(ids.every((id) => stored.get(id) === 1)).toBe(true);
    expect(await spill.length()).toBe(0);
  });

  it('refuses events after close()', async () => {
    const { recorder } = makeRecorder({ writeBatch: scriptedWriter().writeBatch });
    await recorder.close();
    expect(() => recorder.enqueue(makeDocument(1))).toThrow(AuditLogClosedError);
  });

  it('on a close() deadline with the database down, moves what is left to the spill store', async () => {
    const spill = memorySpillStore();
    const { recorder } = makeRecorder({ spill, sleep: () => wait(5), writeBatch: scriptedWriter(Array(10_000).fill('down')).writeBatch });
    for (let n = 0; n < 15; n++) recorder.enqueue(makeDocument(n));
    await recorder.close({ timeoutMs: 50 });
    expect(await spill.length()).toBe(15);
  });
});

function memorySpillStore(): SpillStore<EventDocument> & { rejected: Array<{ reason: string }> } {
  const list: EventDocument[] = [];
  const rejected: Array<{ reason: string }> = [];
  return {
    rejected,
    push: async (documents) => void list.push(...documents),
    pop: async (count) => list.splice(0, count),
    length: async () => list.length,
    keepRejected: async (entries) => void rejected.push(...entries),
    rewrite: async (transform) => {
      const before = list.splice(0);
      list.push(...before.flatMap((document) => transform(document) ?? []));
      return before.length - list.length;
    },
  };
}
