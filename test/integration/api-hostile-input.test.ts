import { TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { admin, makeEvent } from '../helpers/test-events';

interface ClientErrorSummary {
  code?: string;
  httpStatus?: number;
  message: string;
  zodError?: Array<{ path: string; message: string }> | null;
}

async function failureOf(call: Promise<unknown>): Promise<ClientErrorSummary> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const data = error.data as { code?: string; httpStatus?: number; zodError?: ClientErrorSummary['zodError'] } | undefined;
    return { code: data?.code, httpStatus: data?.httpStatus, message: error.message, zodError: data?.zodError };
  }
  throw new Error('expected the call to fail');
}

describe('hostile input over HTTP', () => {
  let api: AuditStack;
  let list: (input: unknown) => Promise<unknown>;
  let facets: (input: unknown) => Promise<unknown>;

  beforeAll(async () => {
    api = await startAuditStack('api_hostile', { recordReads: false });
    await api.seed(Array.from({ length: 30 }, (_, n) => makeEvent({ tenantId: 'tenant-a', occurredAt: new Date(Date.now() - n * 1_000), description: `Event ${n}` })));
    const client = api.client(admin('tenant-a'));
    // Bypasses the static types on purpose: hostile callers do not use them.
    list = (input) => client.auditLog.events.list.query(input as never);
    facets = (input) => client.auditLog.events.facets.query(input as never);
  });
  afterAll(() => api.close());

  const hostile: Array<[string, unknown, RegExp]> = [
    ['a number where text belongs', { search: 42 }, /search: must be a string/],
    ['text where a number belongs', { limit: 'ten' }, /limit: must be a number/],
    ['a string where a list belongs', { actorIds: 'alice' }, /actorIds/],
    ['an oversized search', { search: 'x'.repeat(5_000) }, /search: must be at most 200 characters/],
    ['an oversized list', { actorIds: Array.from({ length: 500 }, (_, n) => `u${n}`) }, /actorIds: at most 50 actor ids/],
    ['an oversized list item', { actorIds: ['u'.repeat(300)] }, /actorIds\.0: must be at most 128 characters/],
    ['a $-operator object as a value', { search: { $regex: '.*' } }, /search: must be a string/],
    ['a $-operator object in a list', { actorIds: [{ $ne: null }] }, /actorIds\.0/],
    ['a $-operator key at the top', { $where: 'sleep(10000)' }, /Unrecognized key.*\$where/i],
    ['a $-operator object as the status', { status: { $ne: 'success' } }, /status/],
    ['an invalid date', { from: new Date('not a date') }, /from/],
    ['a date as unparseable text', { to: 'last tuesday' }, /to: must be a date or an ISO 8601 date-time/],
    ['"from" after "to"', { from: new Date('2026-02-01'), to: new Date('2026-01-01') }, /from: "from" must not be after "to"/],
    ['a forged cursor', { cursor: 'v1.eyJ0IjoxLCJpIjoiYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhIiwiYiI6IngifQ.Zm9yZ2Vk' }, /cursor: is not a valid cursor/],
    ['a garbage cursor', { cursor: '../../etc/passwd' }, /cursor: is not a valid cursor/],
    ['an oversized cursor', { cursor: 'c'.repeat(5_000) }, /cursor: is not a valid cursor/],
    ['a limit of 0', { limit: 0 }, /limit: must be at least 1/],
    ['a limit of 201', { limit: 201 }, /limit: must be at most 200/],
    ['a fractional limit', { limit: 1.5 }, /limit: must be a whole number/],
    ['a NUL character in text', { search: 'a\u0000b' }, /search: must not contain NUL characters/],
    ['an action that is not an action name', { actions: ['$where'] }, /actions\.0/],
  ];

  it.each(hostile)('answers %s with BAD_REQUEST and a readable message', async (_name, input, message) => {
    const failure = await failureOf(list(input));
    expect(failure).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
    expect(failure.message).toMatch(message);
  });

  it('puts each validation issue in data.zodError with its path', async () => {
    const failure = await failureOf(list({ limit: 999, search: 7 }));
    expect(failure.zodError).toEqual(
      expect.arrayContaining([
        { path: 'limit', message: 'must be at most 200' },
        { path: 'search', message: 'must be a string' },
      ]),
    );
  });

  it.each([
    ['regex metacharacters', '.*'],
    ['a catastrophic-backtracking pattern', '(a+)+$(a|aa)*(.*a){12}'],
    ['brackets and escapes', '[\\]^$|?{}()'],
  ])('treats %s in search as plain text and finds nothing, quickly', async (_name, search) => {
    const started = Date.now();
    expect(await list({ search })).toEqual({ items: [], nextCursor: null });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a valid cursor reused with other filters', async () => {
    const first = (await list({ limit: 5 })) as { nextCursor: string };
    const failure = await failureOf(list({ limit: 5, cursor: first.nextCursor, search: 'Event' }));
    expect(failure).toMatchObject({ code: 'BAD_REQUEST' });
    expect(failure.message).toMatch(/different search/);
  });

  it('refuses a cursor from another tenant', async () => {
    const first = (await list({ limit: 5 })) as { nextCursor: string };
    const failure = await failureOf(api.client(admin('tenant-b')).auditLog.events.list.query({ limit: 5, cursor: first.nextCursor }));
    expect(failure).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('applies the same validation to facets', async () => {
    expect(await failureOf(facets({ from: new Date('2026-02-01'), to: new Date('2026-01-01') }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await failureOf(facets({ $where: '1' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('answers an event id that is an operator object with BAD_REQUEST', async () => {
    const client = api.client(admin('tenant-a'));
    expect(await failureOf(client.auditLog.events.byId.query({ id: { $gt: '' } } as never))).toMatchObject({ code: 'BAD_REQUEST' });
  });

  describe('raw HTTP, bypassing the client', () => {
    const get = (path: string) => fetch(`${api.url}/${path}`, { headers: { authorization: `Bearer ${api.tokenFor(admin('tenant-a'))}` } });
    const input = (value: unknown) => encodeURIComponent(JSON.stringify(superjson.serialize(value)));

    it('answers malformed JSON input with 400, not 500', async () => {
      const response = await get(`auditLog.events.list?input=${encodeURIComponent('{"json":')}`);
      expect(response.status).toBe(400);
    });

    it('answers plain JSON without the superjson envelope with 400', async () => {
      const response = await get(`auditLog.events.list?input=${encodeURIComponent(JSON.stringify({ limit: { $gt: 1 } }))}`);
      expect(response.status).toBe(400);
    });

    it('answers a superjson payload that smuggles an operator with 400', async () => {
      const response = await get(`auditLog.events.list?input=${input({ search: 'x', $or: [{}] })}`);
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/Unrecognized key/i);
    });

    it('answers an unknown procedure with 404', async () => {
      expect((await get('auditLog.events.drop')).status).toBe(404);
    });
  });
});
