import { createFieldRules } from '../../plugins/mongoose/field-rules';
import { applyUpdateOperators, bulkChangesFromUpdate, changesForUpdate } from '../../plugins/mongoose/update-diff';
import { changingRecordsFilter, documentInsertedByUpsert, wouldChangeCondition } from '../../plugins/mongoose/update-effects';

const rules = createFieldRules();

describe('which matched records an update changes', () => {
  it('changes records whose $set field holds another value', () => {
    expect(wouldChangeCondition({ $set: { removed: true } }, rules)).toEqual({ kind: 'some', condition: { removed: { $ne: true } } });
  });

  it('treats top-level fields as $set and ignores updatedAt', () => {
    expect(wouldChangeCondition({ stage: 'won', $set: { updatedAt: new Date(0) } }, rules)).toEqual({ kind: 'some', condition: { stage: { $ne: 'won' } } });
  });

  it('changes records that have an $unset field', () => {
    expect(wouldChangeCondition({ $unset: { phone: 1 } }, rules)).toEqual({ kind: 'some', condition: { phone: { $exists: true } } });
  });

  it('changes a record if any recorded field changes', () => {
    expect(wouldChangeCondition({ $set: { a: 1 }, $unset: { b: 1 } }, rules)).toEqual({ kind: 'some', condition: { $or: [{ a: { $ne: 1 } }, { b: { $exists: true } }] } });
  });

  it('changes every matched record for operators that always change it', () => {
    expect(wouldChangeCondition({ $set: { a: 1 }, $inc: { visits: 1 } }, rules)).toEqual({ kind: 'every_match' });
  });

  it('changes nothing when the update touches only ignored fields or $setOnInsert', () => {
    expect(wouldChangeCondition({ $set: { updatedAt: new Date(0) }, $setOnInsert: { createdAt: new Date(0) } }, rules)).toEqual({ kind: 'nothing' });
  });

  it('narrows the host filter with the condition', () => {
    expect(changingRecordsFilter({ tenantId: 't' }, { kind: 'some', condition: { a: { $ne: 1 } } })).toEqual({ $and: [{ tenantId: 't' }, { a: { $ne: 1 } }] });
    expect(changingRecordsFilter({}, { kind: 'some', condition: { a: { $ne: 1 } } })).toEqual({ a: { $ne: 1 } });
    expect(changingRecordsFilter({ tenantId: 't' }, { kind: 'every_match' })).toEqual({ tenantId: 't' });
  });
});

describe('the record an upsert inserts', () => {
  it('takes the filter equality fields, then the update with $setOnInsert', () => {
    expect(documentInsertedByUpsert({ email: 'a@x.test', age: { $gt: 3 }, plan: { $eq: 'pro' } }, { $set: { name: 'Ada' }, $setOnInsert: { seats: 2 } }, 'id1')).toEqual({
      email: 'a@x.test', plan: 'pro', name: 'Ada', seats: 2, _id: 'id1',
    });
  });

  it('takes the replacement of a replace', () => {
    expect(documentInsertedByUpsert({ email: 'a@x.test' }, { name: 'Ada' }, 'id2', true)).toEqual({ email: 'a@x.test', name: 'Ada', _id: 'id2' });
  });
});

describe('$setOnInsert', () => {
  it('changes nothing in a record that exists', () => {
    expect(changesForUpdate({ plan: 'free' }, { $set: { plan: 'pro' }, $setOnInsert: { seats: 9 } }, rules)).toEqual([{ field: 'plan', before: 'free', after: 'pro' }]);
  });

  it('applies when the update inserts', () => {
    expect(applyUpdateOperators({}, { $setOnInsert: { seats: 9 } }, { inserting: true }).after).toEqual({ seats: 9 });
  });

  it('is not a bulk-edited field', () => {
    expect(bulkChangesFromUpdate({ $set: { stage: 'won' }, $setOnInsert: { removed: false, tags: [] } }, rules)).toEqual([{ field: 'stage', after: 'won' }]);
  });
});
