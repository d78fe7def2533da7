/**
 * Which field names hold secrets, so that a change to them is recorded by name only. Pure: the
 * rules are unit-tested against a list of ordinary CRM fields they must leave alone.
 *
 * A name is cut into words (`passwordHash` → password·hash, `client_secret` → client·secret,
 * `APIKey` → api·key) and judged on its words, never on substrings: `hashtags`, `passport`,
 * `secretary` and `company` are ordinary fields.
 */

/** A word that makes the field secret wherever it stands (`passwordHint`, `secretQuestion`). */
const SECRET_ANYWHERE = new Set(['password', 'passwd', 'passphrase', 'secret', 'secrets', 'credential', 'credentials', 'cvv', 'cvc', 'cvn', 'iban', 'ssn']);

/**
 * Word sequences that make the field secret only as its last words: `resetToken` is a secret,
 * `tokenCount` and `tokenExpiresAt` are not; `passwordSalt` is, `saltLakeOffice` is not.
 */
const SECRET_ENDINGS: readonly (readonly string[])[] = [
  ['pwd'], ['pass'], ['passcode'], ['pass', 'code'], ['pin', 'code'],
  ['token'], ['tokens'], ['hash'], ['salt'],
  ['api', 'key'], ['api', 'keys'], ['private', 'key'], ['encryption', 'key'], ['signing', 'key'],
  ['otp'], ['totp'], ['otp', 'code'], ['totp', 'code'], ['mfa', 'code'], ['recovery', 'codes'], ['backup', 'codes'],
  ['card', 'number'], ['card', 'no'], ['card', 'num'], ['cc', 'number'], ['cc', 'num'], ['credit', 'card'], ['pan'],
  ['security', 'code'], ['social', 'security', 'number'],
];

/** Names written in one lowercase word (`apikey`, `accesstoken`, `passwordhash`) end with one of these. */
const SECRET_SUFFIXES = ['password', 'passwd', 'secret', 'token', 'tokens', 'apikey', 'privatekey', 'cardnumber', 'ccnumber', 'hash', 'salt', 'iban', 'cvv', 'cvc', 'ssn'];

/** `passwordHash` → ['password', 'hash']; `APIKey` → ['api', 'key']; `cvv2` → ['cvv']. */
export function fieldNameWords(name: string): string[] {
  return (name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+/g) ?? []).map((word) => word.toLowerCase());
}

export function isSecretFieldName(name: string): boolean {
  const words = fieldNameWords(name);
  if (words.some((word) => SECRET_ANYWHERE.has(word))) return true;
  if (SECRET_ENDINGS.some((ending) => endsWithWords(words, ending))) return true;
  const [only] = words;
  return words.length === 1 && only !== undefined && SECRET_SUFFIXES.some((suffix) => only.endsWith(suffix));
}

function endsWithWords(words: readonly string[], ending: readonly string[]): boolean {
  if (ending.length > words.length) return false;
  const offset = words.length - ending.length;
  return ending.every((word, index) => words[offset + index] === word);
}
