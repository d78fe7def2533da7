import { bulkWriteOutcome, operationKind, upsertedIdsByOperation } from '../../plugins/mongoose/bulk-write-hooks';

const succeededIndexes = (outcome: ReturnType<typeof bulkWriteOutcome>, count: number, ordered: boolean) =>
  Array.from({ length: count }, (_, index) => index).filter((index) => outcome.succeeded(index, ordered));

describe('which bulkWrite operations took effect', () => {
  it('names the kind of an operation', () => {
    expect([operationKind({ replaceOne: {} }), operationKind({ nope: {} }), operationKind(null)]).toEqual(['replaceOne', undefined, undefined]);
  });

  it('counts every operation of a bulkWrite that succeeded', () => {
    expect(succeededIndexes(bulkWriteOutcome({ insertedIds: {}, upsertedIds: {} }, undefined), 3, true)).toEqual([0, 1, 2]);
  });

  it('skips the operations mongoose reports as invalid', () => {
    expect(succeededIndexes(bulkWriteOutcome({ mongoose: { results: [null, new Error('invalid'), null] } }, undefined), 3, false)).toEqual([0, 2]);
  });

  it('counts the operations before the first write error of an ordered bulkWrite', () => {
    const error = { writeErrors: [{ index: 2 }], result: { insertedIds: { 0: 'a' } } };
    expect(succeededIndexes(bulkWriteOutcome(undefined, error), 4, true)).toEqual([0, 1]);
  });

  it('counts every operation but the failed ones of an unordered bulkWrite', () => {
    const error = { writeErrors: [{ index: 1 }, { index: 3 }], result: {} };
    expect(succeededIndexes(bulkWriteOutcome(undefined, error), 5, false)).toEqual([0, 2, 4]);
  });

  it('accepts a single write error as the driver may give it', () => {
    expect(succeededIndexes(bulkWriteOutcome(undefined, { writeErrors: { index: 0 } }), 2, false)).toEqual([1]);
  });

  it('says it cannot tell when a failed bulkWrite names no failed operation', () => {
    const outcome = bulkWriteOutcome(undefined, new Error('connection reset'));
    expect([outcome.unknown, succeededIndexes(outcome, 2, false)]).toEqual([true, []]);
  });

  it('reads the inserted ids of a bulkWrite that failed in part', () => {
    expect(bulkWriteOutcome(undefined, { writeErrors: [{ index: 1 }], result: { insertedIds: { 0: 'x1' } } }).insertedIds).toEqual(['x1']);
  });
});

describe('pairing upserted ids with operations', () => {
  const operations = [{ updateOne: { upsert: true } }, { updateOne: {} }, { updateOne: { upsert: true } }, { replaceOne: { upsert: true } }];
  const matchedNothing = (index: number) => index !== 0;

  it('uses the operation index MongoDB reports', () => {
    expect(upsertedIdsByOperation(operations, matchedNothing, { 3: 'r', 2: 'u' })).toEqual(new Map([[2, 'u'], [3, 'r']]));
  });

  it('pairs in order when the keys name no upsert that matched nothing (FerretDB v1)', () => {
    expect(upsertedIdsByOperation(operations, matchedNothing, { 0: 'u', 1: 'r' })).toEqual(new Map([[2, 'u'], [3, 'r']]));
  });
});
