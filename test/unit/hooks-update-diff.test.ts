import { createFieldRules } from '../../plugins/mongoose/field-rules';
import { applyUpdateOperators, bulkChangesFromUpdate, changesBetweenDocuments, changesForUpdate } from '../../plugins/mongoose/update-diff';

const rules = createFieldRules();

describe('diffing update operators', () => {
  it('records before and after of a $set field', () => {
    expect(changesForUpdate({ name: 'Ada', email: 'a@x.test' }, { $set: { email: 'ada@x.test' } }, rules)).toEqual([
      { field: 'email', before: 'a@x.test', after: 'ada@x.test' },
    ]);
  });

  it('treats top-level fields without an operator as $set, as mongoose does', () => {
    expect(changesForUpdate({ stage: 'lead' }, { stage: 'won' }, rules)).toEqual([{ field: 'stage', before: 'lead', after: 'won' }]);
  });

  it('records an $unset field with its before value and no after value', () => {
    expect(changesForUpdate({ phone: '555' }, { $unset: { phone: '' } }, rules)).toEqual([{ field: 'phone', before: '555' }]);
  });

  it('computes the value after $inc from the value before', () => {
    expect(changesForUpdate({ score: 4 }, { $inc: { score: 3 } }, rules)).toEqual([{ field: 'score', before: 4, after: 7 }]);
  });

  it('shows the whole array before and after a $push with $each', () => {
    expect(changesForUpdate({ tags: ['a'] }, { $push: { tags: { $each: ['b', 'c'] } } }, rules)).toEqual([
      { field: 'tags', before: ['a'], after: ['a', 'b', 'c'] },
    ]);
  });

  it('removes sub-documents matched by a partial $pull condition', () => {
    const before = { lineItems: [{ _id: 'l1', product: 'Seat' }, { _id: 'l2', product: 'Support' }] };
    expect(changesForUpdate(before, { $pull: { lineItems: { _id: 'l1' } } }, rules)).toEqual([
      { field: 'lineItems', before: before.lineItems, after: [{ _id: 'l2', product: 'Support' }] },
    ]);
  });

  it('records nothing when only updatedAt changes', () => {
    expect(changesForUpdate({ name: 'Ada', updatedAt: new Date(0) }, { $set: { updatedAt: new Date() } }, rules)).toEqual([]);
  });

  it('records nothing for a $set to the value already stored', () => {
    expect(changesForUpdate({ name: 'Ada' }, { $set: { name: 'Ada' } }, rules)).toEqual([]);
  });

  it('writes nested paths of a $set into the after document', () => {
    expect(applyUpdateOperators({ address: { city: 'Paris' } }, { $set: { 'address.city': 'Lyon' } }).after).toEqual({ address: { city: 'Lyon' } });
  });

  it('records ObjectIds and dates as text', () => {
    const { ObjectId } = jest.requireActual<typeof import('mongodb')>('mongodb');
    const owner = new ObjectId();
    expect(changesForUpdate({}, { $set: { owner, closedAt: new Date('2026-01-02T03:04:05Z') } }, rules)).toEqual([
      { field: 'owner', after: owner.toHexString() },
      { field: 'closedAt', after: '2026-01-02T03:04:05.000Z' },
    ]);
  });
});

describe('diffing two documents (save)', () => {
  it('walks sub-documents to the changed leaf', () => {
    expect(changesBetweenDocuments({ address: { city: 'Paris', zip: '75001' } }, { address: { city: 'Lyon', zip: '75001' } }, rules)).toEqual([
      { field: 'address.city', before: 'Paris', after: 'Lyon' },
    ]);
  });

  it('lists every field of a new document as set', () => {
    expect(changesBetweenDocuments({}, { _id: 'c1', name: 'Ada', __v: 0 }, rules)).toEqual([{ field: 'name', after: 'Ada' }]);
  });
});

describe('bulk update changes', () => {
  it('gives $set values and names the fields of other operators', () => {
    expect(bulkChangesFromUpdate({ $set: { status: 'customer' }, $inc: { touches: 1 }, $currentDate: { updatedAt: true } }, rules)).toEqual([
      { field: 'status', after: 'customer' },
      { field: 'touches' },
    ]);
  });
});
