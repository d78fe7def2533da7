import { createFieldRules } from '../../plugins/mongoose/field-rules';
import { changesForUpdate } from '../../plugins/mongoose/update-diff';

describe('redaction and ignored fields', () => {
  it('records a password change without its values', () => {
    expect(changesForUpdate({ passwordHash: 'old' }, { $set: { passwordHash: 'new' } }, createFieldRules())).toEqual([{ field: 'passwordHash', redacted: true }]);
  });

  it('redacts the fields a host names, and their sub-fields', () => {
    const rules = createFieldRules({ redact: ['bank'] });
    expect(changesForUpdate({ bank: { iban: 'FR76' } }, { $set: { 'bank.iban': 'DE89' } }, rules)).toEqual([{ field: 'bank.iban', redacted: true }]);
  });

  it('leaves out fields the host ignores', () => {
    const rules = createFieldRules({ ignore: ['lastSeenAt'] });
    expect(changesForUpdate({}, { $set: { lastSeenAt: 1, name: 'Ada' } }, rules)).toEqual([{ field: 'name', after: 'Ada' }]);
  });

  it('does not redact ordinary fields whose names merely contain letters of a secret word', () => {
    expect(createFieldRules().isSensitive('company')).toBe(false);
  });
});
