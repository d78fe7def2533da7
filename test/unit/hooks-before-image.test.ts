import { beforeImageFor, beforeImageProjection, pathsWrittenBy } from '../../plugins/mongoose/before-image';
import { createFieldRules } from '../../plugins/mongoose/field-rules';

const rules = createFieldRules({ ignore: ['lastSeenAt'], hiddenPaths: () => ['passwordSalt', 'sessions.token'] });
const subject = { subjectType: 'contact', displayName: () => undefined, softDeleteField: 'removed', nameFields: ['name'] };

describe('the before-image of a single-record write', () => {
  it('reads the fields an update writes and the display-name fields, nothing else', () => {
    const update = { $set: { stage: 'won', updatedAt: new Date() }, $push: { activity: { kind: 'call' } }, $setOnInsert: { createdAt: new Date() } };
    expect(beforeImageFor('updateOne', update, subject, { fieldRules: rules })).toEqual({ _id: 1, stage: 1, activity: 1, name: 1 });
  });

  it('treats top-level fields without an operator as writes, as mongoose does', () => {
    expect(pathsWrittenBy({ phone: '+1', score: 3, $set: { updatedAt: 1 } })).toEqual(['phone', 'score', 'updatedAt']);
  });

  it("reads both ends of a $rename", () => {
    expect(pathsWrittenBy({ $rename: { nick: 'alias' } })).toEqual(['nick', 'alias']);
  });

  it('reads a whole array for a path into one of its elements, and never a path inside another one it reads', () => {
    const written = ['activity.0.note', 'items.$.qty', 'items.$[open].price', 'address', 'address.city', 'profile.bio'];
    expect(beforeImageProjection(written, ['profile.name'], rules)).toEqual({ _id: 1, activity: 1, items: 1, address: 1, 'profile.bio': 1, 'profile.name': 1 });
  });

  it('leaves out ignored fields and select: false fields', () => {
    expect(beforeImageProjection(['lastSeenAt', 'passwordSalt', 'sessions.token', 'sessions.device', 'email'], [], rules)).toEqual({ _id: 1, 'sessions.device': 1, email: 1 });
  });

  it('reads only _id and the name for a delete, and never sends an empty projection', () => {
    expect(beforeImageFor('deleteOne', undefined, subject, { fieldRules: rules })).toEqual({ _id: 1, name: 1 });
    expect(beforeImageProjection(['updatedAt'], [], rules)).toEqual({ _id: 1 });
  });

  it('reads the whole record for a replace, a pipeline update, or a displayName whose fields are not named', () => {
    expect(beforeImageFor('replaceOne', { name: 'Ada' }, subject, { fieldRules: rules })).toBeUndefined();
    expect(beforeImageFor('findOneAndReplace', { name: 'Ada' }, subject, { fieldRules: rules })).toBeUndefined();
    expect(beforeImageFor('updateOne', [{ $set: { name: 'Ada' } }], subject, { fieldRules: rules })).toBeUndefined();
    expect(beforeImageFor('updateOne', { $set: { stage: 'won' } }, { ...subject, nameFields: undefined }, { fieldRules: rules })).toBeUndefined();
  });
});
