import { ObjectId } from 'mongodb';
import { fromEventDocument, toEventDocument } from '../../server/events/event.document';
import type { TAuditEvent } from '../../server/events/event.schema';

const event: TAuditEvent = {
  id: '65a1b2c3d4e5f60718293a4b',
  tenantId: 't1',
  occurredAt: new Date('2026-03-04T05:06:07Z'),
  receivedAt: new Date('2026-03-04T05:06:08Z'),
  actor: { id: 'u1', name: 'Ada', type: 'user' },
  action: 'record.updated',
  subject: { type: 'contact', id: 'c1', name: 'Grace' },
  description: 'Updated contact Grace',
  changes: [
    { field: 'address', before: { 'street.name': 'Main', $where: 1 }, after: [[1, 2], [3]] },
    { field: 'password', redacted: true },
    { field: 'phone', before: null, after: '+1' },
  ],
  editCount: 3,
  status: 'success',
  context: { ip: '203.0.113.1' },
  metadata: { 'a.b': { $c: [[true]] } },
};

const objectId = (hex: string) => new ObjectId(hex);

describe('event documents', () => {
  it('round-trip every value, including keys with dots or dollars and nested arrays', () => {
    expect(fromEventDocument(toEventDocument(event, objectId))).toEqual(event);
  });

  it('store free-form values as JSON text, so the document itself has no dotted or $ keys', () => {
    const document = toEventDocument(event, objectId);
    const keys: string[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object' && !(value instanceof Date) && value.constructor === Object) {
        for (const [key, member] of Object.entries(value)) {
          keys.push(key);
          collect(member);
        }
      }
    };
    collect(document);
    expect(keys.filter((key) => key.includes('.') || key.startsWith('$'))).toEqual([]);
    expect(document.personal.filter((value) => value.key.startsWith('changes.0.')).map(({ key, value }) => ({ key, value }))).toEqual([
      { key: 'changes.0.before', value: '{"street.name":"Main","$where":1}' },
      { key: 'changes.0.after', value: '[[1,2],[3]]' },
    ]);
  });

  it('store the whole hour of occurredAt for the activity chart, and never return it', () => {
    const document = toEventDocument(event, objectId);
    expect(document.hour).toBe(Math.floor(event.occurredAt.getTime() / 3_600_000));
    expect('hour' in fromEventDocument(document)).toBe(false);
  });

  it('never keeps the values of a redacted change', () => {
    const document = toEventDocument({ ...event, changes: [{ field: 'token', before: 'old-secret', after: 'new-secret', redacted: true }] }, objectId);
    expect(document.changes).toEqual([{ field: 'token', redacted: true }]);
    expect(JSON.stringify(document)).not.toContain('secret');
  });
});
