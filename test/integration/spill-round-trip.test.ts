import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BSON, ObjectId } from 'mongodb';
import { fromEventDocument, toEventDocument, type EventDocument } from '../../server/events';
import { RedisSpillStore } from '../../server/recorder/redis-spill-store';
import { WriteAheadLog } from '../../server/recorder/write-ahead-log';
import { connectTestRedis, type TestRedis } from '../helpers/test-databases';
import { makeEvent } from '../helpers/test-events';

/**
 * A spilled event comes back as the document it was: plain numbers (not BSON Int32 wrappers), so
 * the reader of the stored form, live delivery and erasure see a v2 event with its edit count.
 */
const event = makeEvent({
  tenantId: 'acme',
  occurredAt: new Date('2026-03-04T05:06:07.089Z'),
  actor: { id: 'u1', name: 'Ada Admin', type: 'user', email: 'ada@acme.test' },
  subject: { type: 'contact', id: 'c1', name: 'Nora North' },
  changes: [{ field: 'score', before: 3, after: 4.5 }],
  editCount: 1,
});
const document = toEventDocument(event, (hex) => new ObjectId(hex));

function expectSameEvent(back: EventDocument) {
  expect(back.v).toBe(2);
  expect(back.editCount).toBe(1);
  expect(back._id).toBeInstanceOf(ObjectId);
  expect(fromEventDocument(back)).toEqual(fromEventDocument(document));
}

describe('a spilled event read back', () => {
  let redis: TestRedis;
  let walRoot: string;
  beforeAll(async () => {
    redis = await connectTestRedis('spill_round_trip');
    walRoot = mkdtempSync(join(tmpdir(), 'audit-spill-round-trip-'));
  });
  afterAll(async () => {
    await redis.cleanup();
    rmSync(walRoot, { recursive: true, force: true });
  });

  it('from the Redis spill list is the event that was spilled', async () => {
    const store = new RedisSpillStore<EventDocument>(redis.redis, redis.prefix, BSON);
    await store.push([document]);
    const [back] = await store.pop(10);
    expectSameEvent(back!);
  });

  it('from the write-ahead log is the event that was spilled', async () => {
    const wal = new WriteAheadLog<EventDocument>({ directory: walRoot, namespace: async () => 'crm', bson: BSON });
    await wal.push([document]);
    const [back] = await wal.pop(10);
    expectSameEvent(back!);
    wal.settle([back!]);
    await wal.close();
  });
});
