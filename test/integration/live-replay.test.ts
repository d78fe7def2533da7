import { ObjectId } from 'mongodb';
import { hostDatabase } from '../../server/db/host-database';
import { toEventDocument } from '../../server/events/event.document';
import { createLiveReplayRepository } from '../../server/events/live-replay.repository';
import { AUDIT_EVENTS_COLLECTION } from '../../server/events/event.model';
import { connectTestMongo, type TestMongo } from '../helpers/test-databases';
import { makeEvent } from '../helpers/test-events';

const TENANT = 'tenant-replay';
let mongo: TestMongo;

beforeAll(async () => {
  mongo = await connectTestMongo('live_replay');
});
afterAll(() => mongo.drop());

/** An event received at `at`, its id made in the same second (as the recorder makes them). */
function receivedAt(at: Date, description: string) {
  const db = hostDatabase(mongo.connection);
  const id = ObjectId.createFromTime(Math.floor(at.getTime() / 1000)).toHexString().slice(0, 8) + new ObjectId().toHexString().slice(8);
  return toEventDocument(makeEvent({ id, tenantId: TENANT, occurredAt: at, receivedAt: at, description }), db.objectId);
}

describe('the live replay read', () => {
  it('counts towards its limit only what was received since, not the earlier events of the same second', async () => {
    const second = Date.UTC(2026, 11, 2, 12, 0, 0);
    const earlier = Array.from({ length: 5 }, (_, n) => receivedAt(new Date(second + 100 + n), `Before ${n}`));
    const since = new Date(second + 500);
    const after = [receivedAt(new Date(second + 600), 'After 0'), receivedAt(new Date(second + 700), 'After 1')];
    await mongo.connection.collection(AUDIT_EVENTS_COLLECTION).insertMany([...earlier, ...after] as never[]);

    const replay = createLiveReplayRepository(hostDatabase(mongo.connection));
    const read = await replay.receivedSince(TENANT, { since, limit: 2 });
    expect(read.more).toBe(false);
    expect(read.events.map((event) => event.description)).toEqual(['After 0', 'After 1']);
    expect((await replay.receivedSince(TENANT, { since, limit: 1 })).more).toBe(true);
  });
});
