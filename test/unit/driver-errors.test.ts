import { bulkWriteErrorsOf, isDuplicateKeyError, isServerError } from '../../server/db/driver-errors';
import { classifyInsertError } from '../../server/events/event-writes.repository';

/** Errors as another copy of the driver would throw them: same names and fields, different classes. */
class ForeignBulkWriteError extends Error {
  override name = 'MongoBulkWriteError';
  constructor(readonly writeErrors: unknown) {
    super('bulk write failed');
  }
}

describe('driver error classification by shape', () => {
  it('finds the write errors of a bulk write error from any driver copy', () => {
    expect(bulkWriteErrorsOf(new ForeignBulkWriteError([{ index: 3, code: 11000 }]))).toEqual([{ index: 3, code: 11000 }]);
    expect(bulkWriteErrorsOf(new ForeignBulkWriteError({ index: 0, code: 2 }))).toEqual([{ index: 0, code: 2 }]);
  });

  it('does not take a network error for a bulk write error', () => {
    const network = Object.assign(new Error('connection reset'), { name: 'MongoNetworkError' });
    expect(bulkWriteErrorsOf(network)).toBeUndefined();
    expect(isServerError(network)).toBe(false);
  });

  it('recognises duplicate keys and server answers', () => {
    expect(isDuplicateKeyError(Object.assign(new Error('dup'), { name: 'MongoServerError', code: 11000 }))).toBe(true);
    expect(isDuplicateKeyError(new Error('other'))).toBe(false);
    expect(isServerError(Object.assign(new Error('too large'), { name: 'MongoServerError', code: 10334 }))).toBe(true);
  });
});

describe('classifyInsertError', () => {
  const documents = Array.from({ length: 4 }, (_, n) => ({ _id: { toHexString: () => `id${n}` }, n })) as never[];
  const bulkError = (writeErrors: unknown[], insertedCount: number) =>
    Object.assign(new ForeignBulkWriteError(writeErrors), { result: { insertedCount } });

  it('retries the whole batch when a dropped connection is reported as a bulk error without per-document errors', () => {
    expect(classifyInsertError(bulkError([], 0), documents)).toBe('transient');
  });

  it('counts duplicates from an earlier, interrupted attempt as written', () => {
    expect(classifyInsertError(bulkError([{ index: 1, code: 11000 }, { index: 2, code: 11000 }], 2), documents)).toEqual({
      written: 4,
      rejected: [],
      retry: [],
    });
  });

  it('retries everything when the driver cannot confirm the other documents were inserted', () => {
    expect(classifyInsertError(bulkError([{ index: 0, code: 11000 }], 1), documents)).toBe('transient');
  });

  it('rejects for good only the documents the server refused for a lasting reason', () => {
    const outcome = classifyInsertError(bulkError([{ index: 3, code: 10334, errmsg: 'too large' }, { index: 0, code: 91 }], 2), documents);
    expect(outcome).toMatchObject({ written: 2, retry: [documents[0]], rejected: [{ document: documents[3], reason: 'too large' }] });
  });

  it('retries network errors and rejects a lasting server error for the batch', () => {
    expect(classifyInsertError(Object.assign(new Error('reset'), { name: 'MongoNetworkError' }), documents)).toBe('transient');
    const refused = classifyInsertError(Object.assign(new Error('not authorized'), { name: 'MongoServerError', code: 13 }), documents);
    expect(refused).toMatchObject({ written: 0, retry: [] });
    expect((refused as { rejected: unknown[] }).rejected).toHaveLength(4);
  });
});
