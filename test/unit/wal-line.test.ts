import { BSON, ObjectId } from 'mongodb';
import { toEventDocument } from '../../server/events/event.document';
import { encodeLine } from '../../server/recorder/wal-segments';

const readBack = (line: string) => BSON.EJSON.parse(line, { relaxed: true }) as Record<string, unknown>;
const canonicalRoundTrip = (value: object) => readBack(BSON.EJSON.stringify(value, { relaxed: false }));

const at = new Date('2026-03-04T05:06:07.089Z');
const storedEvent = () =>
  toEventDocument(
    {
      id: new ObjectId().toHexString(),
      tenantId: 't1',
      occurredAt: at,
      receivedAt: at,
      actor: { id: 'u1', type: 'user', name: 'Ada Lovelace', email: 'ada@example.test' },
      action: 'record.created',
      subject: { type: 'contact', id: 'c1', name: 'Grace Hopper' },
      description: 'Created contact "Grace Hopper"',
      changes: [
        { field: 'firstName', after: 'Grace' },
        { field: 'score', after: 42.5 },
        { field: 'address', after: { city: 'Lyon', $odd: 'key' } },
        { field: 'tags', after: ['a', 'b'] },
      ],
      editCount: 4,
      status: 'success',
      context: { ip: '10.0.0.1' },
    },
    (hex) => new ObjectId(hex),
  );

describe('a write-ahead log line', () => {
  it('reads back as the same event document as canonical Extended JSON does', () => {
    const document = storedEvent();
    const line = encodeLine(BSON, document);
    // The plain path: no member wrapped as canonical EJSON writes every number.
    expect(line).not.toContain('$numberInt');
    const back = readBack(line);
    expect(back).toEqual(canonicalRoundTrip(document));
    expect(back._id).toBeInstanceOf(ObjectId);
    expect(back.occurredAt).toEqual(at);
  });

  it('keeps nested dates and BSON values as they are (an erased value, a refused entry)', () => {
    const document = { ...storedEvent(), personal: [{ key: 'actor.name', subjects: [], erasedAt: at }] };
    const refused = { document, reason: 'E11000' };
    const back = readBack(encodeLine(BSON, refused)) as { document: { _id: unknown; personal: Array<{ erasedAt: unknown }> } };
    expect(back).toEqual(canonicalRoundTrip(refused));
    expect(back.document._id).toBeInstanceOf(ObjectId);
    expect(back.document.personal[0]!.erasedAt).toEqual(at);
  });

  it('keeps undefined members and numbers JSON cannot write as canonical Extended JSON does', () => {
    const value = { _id: new ObjectId(), missing: undefined, count: 3, ratio: Number.NaN, zero: -0 };
    const back = readBack(encodeLine(BSON, value));
    expect(back).toEqual(canonicalRoundTrip(value));
    expect(back.missing).toBeNull();
    expect(Number.isNaN(back.ratio)).toBe(true);
    expect(Object.is(back.zero, -0)).toBe(true);
  });
});
