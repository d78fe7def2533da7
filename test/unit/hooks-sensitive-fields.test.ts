import { createFieldRules, withoutNestedSecrets, fieldNameWords, isSecretFieldName } from '../../plugins/mongoose/field-rules';
import { bulkChangesFromUpdate, changesBetweenDocuments } from '../../plugins/mongoose/update-diff';

const SECRETS = [
  'password', 'passwordHash', 'password_hash', 'passwd', 'pwd', 'dbPass', 'passphrase', 'passwordHint',
  'hash', 'salt', 'passwordSalt', 'token', 'tokens', 'accessToken', 'refresh_token', 'resetToken', 'accesstoken',
  'secret', 'clientSecret', 'client_secret', 'apiKey', 'api_key', 'APIKey', 'apikey', 'privateKey',
  'otpSecret', 'totpSecret', 'twoFactorSecret', 'mfaSecret', 'otp', 'recoveryCodes',
  'cardNumber', 'card_number', 'ccNumber', 'creditCard', 'pan', 'cvv', 'cvv2', 'cvc', 'securityCode', 'iban', 'bankIban', 'ssn', 'credentials',
];
const ORDINARY = [
  'hashtags', 'tokenCount', 'tokenExpiresAt', 'saltLakeOffice', 'passport', 'passportNumber', 'secretary', 'company', 'compass',
  'bypassed', 'passengers', 'panel', 'keyAccount', 'primaryKey', 'accountNumber', 'cardLast4', 'cardBrand', 'otpEnabled', 'hashAlgorithm', 'name', 'email',
];

describe('secret field names', () => {
  it('cuts camelCase, snake_case and acronyms into words', () => {
    expect([fieldNameWords('passwordHash'), fieldNameWords('client_secret'), fieldNameWords('APIKey'), fieldNameWords('cvv2')]).toEqual([
      ['password', 'hash'], ['client', 'secret'], ['api', 'key'], ['cvv'],
    ]);
  });

  it.each(SECRETS)('treats %s as a secret', (name) => {
    expect(isSecretFieldName(name)).toBe(true);
  });

  it.each(ORDINARY)('leaves the ordinary field %s alone', (name) => {
    expect(isSecretFieldName(name)).toBe(false);
  });
});

describe('field rules', () => {
  it('judges a nested path by its last segment', () => {
    expect(createFieldRules().isSensitive('auth.passwordSalt')).toBe(true);
  });

  it('treats every field the schema declares select: false as secret, whatever its name', () => {
    const rules = createFieldRules({ hiddenPaths: () => ['recoveryHint', 'sessions.fingerprint'] });
    expect([rules.isSensitive('recoveryHint'), rules.isSensitive('sessions.0.fingerprint'), rules.isSensitive('hint')]).toEqual([true, true, false]);
  });

  it('replaces secrets inside a value recorded whole, keeping the rest', () => {
    const value = [{ device: 'ios', token: 'abc' }, { device: 'web', auth: { salt: 'x' } }];
    expect(withoutNestedSecrets(value, 'sessions', createFieldRules())).toEqual([{ device: 'ios', token: '[redacted]' }, { device: 'web', auth: { salt: '[redacted]' } }]);
  });

  it('keeps secrets inside arrays out of a created record and out of a bulk $set', () => {
    const rules = createFieldRules();
    expect(changesBetweenDocuments({}, { sessions: [{ device: 'ios', token: 'abc' }] }, rules)).toEqual([{ field: 'sessions', after: [{ device: 'ios', token: '[redacted]' }] }]);
    expect(bulkChangesFromUpdate({ $set: { sessions: [{ token: 'abc' }] } }, rules)).toEqual([{ field: 'sessions', after: [{ token: '[redacted]' }] }]);
  });
});
