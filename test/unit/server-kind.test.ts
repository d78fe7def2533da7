import { countsAreCheap, serverKindOf } from '../../server/db/server-kind';

describe('server kind', () => {
  it('recognises FerretDB by the version it adds to buildInfo', () => {
    expect(serverKindOf({ ferretdbVersion: 'v1.24.2' })).toBe('ferretdb');
    expect(serverKindOf({})).toBe('mongodb');
    expect(serverKindOf({ ferretdbVersion: undefined })).toBe('mongodb');
  });

  it('counts beside an export stream only where the server counts from indexes', () => {
    expect(countsAreCheap('mongodb')).toBe(true);
    expect(countsAreCheap('ferretdb')).toBe(false);
  });
});
