import { ObjectId } from 'mongodb';
import { createCursorCodec, InvalidCursorError } from '../../server/events/event-cursor';

const SECRET = 'x'.repeat(32);
const position = { occurredAt: new Date('2026-05-01T10:00:00.123Z'), id: new ObjectId().toHexString() };
const binding = { tenantId: 'tenant-a', filters: { actions: ['record.updated'], from: new Date('2026-01-01T00:00:00Z') } };

describe('the page cursor codec', () => {
  const codec = createCursorCodec(SECRET);

  it('round-trips the position for the same tenant and filters', () => {
    expect(codec.decode(codec.encode(position, binding), binding)).toEqual(position);
  });

  it('accepts the same filters given in another key order', () => {
    const cursor = codec.encode(position, binding);
    expect(codec.decode(cursor, { tenantId: 'tenant-a', filters: { from: new Date('2026-01-01T00:00:00Z'), actions: ['record.updated'] } })).toEqual(position);
  });

  it('is opaque: the id and time are not readable as plain text', () => {
    const cursor = codec.encode(position, binding);
    expect(cursor).not.toContain(position.id);
    expect(cursor).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('refuses a cursor issued to another tenant', () => {
    const cursor = codec.encode(position, binding);
    expect(() => codec.decode(cursor, { ...binding, tenantId: 'tenant-b' })).toThrow(InvalidCursorError);
  });

  it('refuses a cursor issued for other filters', () => {
    const cursor = codec.encode(position, binding);
    expect(() => codec.decode(cursor, { tenantId: 'tenant-a', filters: { actions: ['record.deleted'] } })).toThrow(/different search/);
  });

  it('refuses a cursor whose payload was edited', () => {
    const [version, payload, mac] = codec.encode(position, binding).split('.');
    const edited = Buffer.from(Buffer.from(payload!, 'base64url').toString().replace(/"t":\d+/, '"t":1')).toString('base64url');
    expect(() => codec.decode(`${version}.${edited}.${mac}`, binding)).toThrow(InvalidCursorError);
  });

  it('refuses a cursor signed with another key', () => {
    const cursor = createCursorCodec('y'.repeat(32)).encode(position, binding);
    expect(() => codec.decode(cursor, binding)).toThrow(InvalidCursorError);
  });

  it.each(['', 'garbage', 'v1..', 'v1.e30.', 'v2.a.b', 'v1.a.b.c', '💥'.repeat(10)])('refuses the malformed cursor %j', (cursor) => {
    expect(() => codec.decode(cursor, binding)).toThrow(InvalidCursorError);
  });

  it('refuses a short secret', () => {
    expect(() => createCursorCodec('short')).toThrow(/32 characters/);
  });
});
