import { ObjectId } from 'mongodb';
import { fromEventDocument, toEventDocument } from '../../server/events/event.document';
import type { TAuditEvent } from '../../server/events/event.schema';
import { eraseFromEvent, erasureMatcher, hashedPartBytes, verifyCommitment } from '../../server/events/stored-form';
import { identityPseudonym } from '../../server/events/stored-form/encode-event';

const objectId = (hex: string) => new ObjectId(hex);
const now = new Date('2026-12-01T00:00:00Z');

const updateByMax: TAuditEvent = {
  id: '65a1b2c3d4e5f60718293a4b',
  tenantId: 'globex',
  occurredAt: new Date('2026-11-30T10:00:00Z'),
  receivedAt: new Date('2026-11-30T10:00:01Z'),
  actor: { id: 'u-max', name: 'Max Member', email: 'max@globex.test', type: 'user', role: 'member' },
  action: 'record.updated',
  subject: { type: 'contact', id: 'c-max', name: 'Max' },
  description: 'Max Member updated contact Max',
  changes: [{ field: 'email', before: 'max.contact@private.test', after: 'max.new@private.test' }, { field: 'score', before: 1, after: 2 }],
  editCount: 2,
  status: 'success',
  context: { ip: '203.0.113.9' },
};

const failedSignIn: TAuditEvent = {
  ...updateByMax,
  id: '65a1b2c3d4e5f60718293a4c',
  actor: { id: 'unknown:Nora@private.test', name: 'Nora@private.test', type: 'user' },
  action: 'user.login_failed',
  subject: undefined,
  description: 'Failed sign-in as Nora@private.test',
  changes: [],
  editCount: 0,
  status: 'failure',
  failureReason: 'No such user Nora@private.test',
  metadata: { attemptedIdentity: 'Nora@private.test', attempt: 3 },
};


describe('the stored form of an event', () => {
  it('reads back exactly what was recorded', () => {
    expect(fromEventDocument(toEventDocument(updateByMax, objectId))).toEqual(updateByMax);
    const { subject: _none, ...signIn } = failedSignIn;
    const read = fromEventDocument(toEventDocument(signIn, objectId));
    // All but the actor id, which is the identity's pseudonym (next test).
    expect({ ...read, actor: { ...read.actor, id: 'x' } }).toEqual({ ...signIn, actor: { ...signIn.actor, id: 'x' } });
  });

  it('keeps no personal value in the hashed part, only commitments that open with the stored value and salt', () => {
    const stored = toEventDocument(updateByMax, objectId);
    const hashed = hashedPartBytes(stored).toString('utf8');
    for (const value of ['Max', 'max@globex.test', 'max.contact@private.test', 'max.new@private.test']) expect(hashed).not.toContain(value);
    expect(stored.description).toBe('{actor.name} updated contact {subject.name}');
    const name = stored.personal.find((entry) => entry.key === 'subject.name')!;
    expect(verifyCommitment(stored.subject!.name!, { value: JSON.parse(name.value!), salt: name.salt! })).toBe('verified');
  });

  it('gives an unknown identity a pseudonymous id: the same for the same address, without the address', () => {
    const pseudonymOf = identityPseudonym('k'.repeat(32));
    const first = toEventDocument(failedSignIn, objectId, { pseudonymOf });
    const again = toEventDocument({ ...failedSignIn, actor: { ...failedSignIn.actor, id: 'unknown:nora@private.test' } }, objectId, { pseudonymOf });
    expect(first.actor.id).toMatch(/^unknown:[A-Za-z0-9_-]{22}$/);
    expect(again.actor.id).toBe(first.actor.id);
    expect(hashedPartBytes(first).toString('utf8').toLowerCase()).not.toContain('nora');
  });
});

describe('erasing from one event', () => {
  it('erasing the contact "Max" leaves the user "Max Member" as he was', () => {
    const stored = toEventDocument(updateByMax, objectId);
    const erased = eraseFromEvent(stored, erasureMatcher({ subject: { kind: 'record', type: 'contact', id: 'c-max' }, identities: [] }), now)!;
    expect(erased.erasedKeys.sort()).toEqual(['changes.0.after', 'changes.0.before', 'changes.1.after', 'changes.1.before', 'subject.name']);
    const read = fromEventDocument({ ...stored, ...erased });
    expect(read).toMatchObject({
      actor: { id: 'u-max', name: 'Max Member', email: 'max@globex.test' },
      subject: { type: 'contact', id: 'c-max', name: '[erased]' },
      description: 'Max Member updated contact [erased]',
      changes: [{ field: 'email', before: '[erased]', after: '[erased]' }, { field: 'score', before: '[erased]', after: '[erased]' }],
      occurredAt: updateByMax.occurredAt,
    });
  });

  it('erasing an identity removes it from the actor, the metadata, the description and the failure reason, and keeps the hashed part', () => {
    const stored = toEventDocument(failedSignIn, objectId);
    const before = hashedPartBytes(stored);
    const erased = eraseFromEvent(stored, erasureMatcher({ subject: { kind: 'record', type: 'contact', id: 'c-nora' }, identities: ['NORA@private.test'] }), now)!;
    const after = { ...stored, ...erased };
    expect(hashedPartBytes(after).equals(before)).toBe(true);
    expect(JSON.stringify(after).toLowerCase()).not.toContain('nora');
    expect(fromEventDocument(after)).toMatchObject({ actor: { name: '[erased]' }, description: 'Failed sign-in as [erased]', failureReason: 'No such user [erased]', metadata: { attemptedIdentity: '[erased]', attempt: 3 } });
    expect(verifyCommitment(stored.actor.name!)).toBe('erased');
  });

  it('finds an e-mail address inside another value only as a whole address', () => {
    const titled = (title: string) => toEventDocument({ ...updateByMax, subject: { type: 'discussion', id: 'd1', name: title }, changes: [] }, objectId);
    const matcher = erasureMatcher({ subject: { kind: 'record', type: 'contact', id: 'c-x' }, identities: ['ann@private.test'] });
    expect(eraseFromEvent(titled('Call ann@private.test back'), matcher, now)?.erasedKeys).toEqual(['subject.name']);
    expect(eraseFromEvent(titled('Call joann@private.test.uk back'), matcher, now)).toBeUndefined();
  });

  it('changes nothing the second time', () => {
    const stored = toEventDocument(updateByMax, objectId);
    const matcher = erasureMatcher({ subject: { kind: 'record', type: 'contact', id: 'c-max' }, identities: ['max.contact@private.test'] });
    const once = { ...stored, ...eraseFromEvent(stored, matcher, now)! };
    expect(eraseFromEvent(once, matcher, now)).toBeUndefined();
  });
});
