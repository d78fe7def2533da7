import { ZEventByIdInput, ZListEventsInput } from '../../server/events/event-filters.schema';

const problemsOf = (input: unknown) => {
  const result = ZListEventsInput.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('list filters', () => {
  it('defaults the page size to 50', () => {
    expect(ZListEventsInput.parse({}).limit).toBe(50);
  });

  it('accepts ISO 8601 text as well as dates', () => {
    expect(ZListEventsInput.parse({ from: '2026-01-01T00:00:00Z' }).from).toEqual(new Date('2026-01-01T00:00:00Z'));
  });

  it('refuses "from" after "to"', () => {
    expect(problemsOf({ from: new Date('2026-02-01'), to: new Date('2026-01-01') })).toEqual(['from: "from" must not be after "to"']);
  });

  it('refuses a subject id without its type', () => {
    expect(problemsOf({ subjectId: 'c1' })).toEqual(['subjectType: required when subjectId is given']);
  });

  it('refuses unknown keys, so $-operators cannot sneak in at the top', () => {
    expect(problemsOf({ $where: 'sleep(1000)' })).toHaveLength(1);
  });

  it('refuses operator objects in place of values', () => {
    expect(problemsOf({ search: { $regex: '.*' }, actorIds: [{ $ne: null }], status: { $ne: 'x' } })).toHaveLength(3);
  });

  it('refuses a limit outside 1..200', () => {
    expect(problemsOf({ limit: 0 })).toEqual(['limit: must be at least 1']);
    expect(problemsOf({ limit: 201 })).toEqual(['limit: must be at most 200']);
  });

  it('refuses oversized search text and lists', () => {
    expect(problemsOf({ search: 'a'.repeat(201) })).toEqual(['search: must be at most 200 characters']);
    expect(problemsOf({ actorIds: Array.from({ length: 51 }, (_, n) => `u${n}`) })).toEqual(['actorIds: at most 50 actor ids']);
  });

  it('refuses NUL characters, which the database would reject', () => {
    expect(problemsOf({ search: 'a\u0000b' })).toEqual(['search: must not contain NUL characters']);
  });

  it('refuses an invalid date', () => {
    expect(problemsOf({ from: new Date('nope') })).toHaveLength(1);
    expect(problemsOf({ to: 'yesterday' })).toHaveLength(1);
  });
});

describe('event id input', () => {
  it('accepts only a 24-character hex id', () => {
    expect(ZEventByIdInput.safeParse({ id: 'a'.repeat(24) }).success).toBe(true);
    expect(ZEventByIdInput.safeParse({ id: { $gt: '' } }).success).toBe(false);
  });
});
