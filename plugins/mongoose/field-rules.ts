

/**
 * Which fields a diff leaves out (bookkeeping nobody edits) and which it records without values
 * (secrets). Pure, so the rules are unit-tested apart from mongoose.
 */
export const ALWAYS_IGNORED_FIELDS = ['_id', '__v', 'updatedAt', 'createdAt'] as const;

export interface FieldRules {
  isIgnored(path: string): boolean;
  isSensitive(path: string): boolean;
  /** Declared `select: false` in the schema (or inside such a path). */
  isHidden(path: string): boolean;
}

export interface FieldRuleOptions {
  ignore?: readonly string[];
  /** Paths the host names as secret; their sub-paths are secret too. */
  redact?: readonly string[];
  /** Paths the schema declares `select: false` (read lazily: a schema may gain paths after the plugin call). */
  hiddenPaths?: () => readonly string[];
}

const MAX_REMEMBERED_PATHS = 5_000;

export function createFieldRules({ ignore = [], redact = [], hiddenPaths = () => [] }: FieldRuleOptions = {}): FieldRules {
  const ignored = new Set<string>([...ALWAYS_IGNORED_FIELDS, ...ignore]);
  const redacted = new Set(redact);
  let hidden: Set<string> | undefined;
  const isHidden = (schemaPath: string) => {
    hidden ??= new Set(hiddenPaths());
    return matchesPathOrParent(hidden, schemaPath);
  };
  // Decided once per path, not per value: a schema has few paths, and the word split is most of a diff's rule checks.
  const sensitive = new Map<string, boolean>();
  return {
    isIgnored: (path) => matchesPathOrParent(ignored, path),
    isSensitive: (path) => {
      const known = sensitive.get(path);
      if (known !== undefined) return known;
      const schemaPath = schemaPathOf(path);
      const decided = matchesPathOrParent(redacted, schemaPath) || isHidden(schemaPath) || isSecretFieldName(schemaPath.split('.').pop() ?? schemaPath);
      // Array positions make paths without end (`items.7.note`); the memo stays bounded.
      if (sensitive.size >= MAX_REMEMBERED_PATHS) sensitive.clear();
      sensitive.set(path, decided);
      return decided;
    },
    isHidden: (path) => isHidden(schemaPathOf(path)),
  };
}

/** Array positions (`sessions.0.token`) are the schema path `sessions.token`. */
function schemaPathOf(path: string): string {
  return path.split('.').filter((segment) => !/^\d+$/.test(segment)).join('.');
}

function matchesPathOrParent(set: ReadonlySet<string>, path: string): boolean {
  if (set.size === 0) return false;
  const segments = path.split('.');
  return segments.some((_, index) => set.has(segments.slice(0, index + 1).join('.')));
}

export const REDACTED_VALUE = '[redacted]';

/**
 * A value recorded whole (an array of sub-documents, a sub-document set at once) may hold secrets
 * below its own path: `sessions: [{ device, token }]`. Those members are replaced, the rest kept.
 */
export function withoutNestedSecrets<T>(value: T, path: string, rules: FieldRules, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > 20) return value;
  if (Array.isArray(value)) return value.map((item) => withoutNestedSecrets(item, path, rules, depth + 1)) as T;
  const result: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const memberPath = `${path}.${key}`;
    result[key] = rules.isSensitive(memberPath) ? REDACTED_VALUE : withoutNestedSecrets(member, memberPath, rules, depth + 1);
  }
  return result as T;
}

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

/**
 * What the host's schema itself says about its fields. A field declared `select: false` is one the
 * host keeps out of every read (a password salt, a reset token): the audit log keeps its values out
 * too, whatever the field is called.
 */
interface SchemaPathLike {
  options?: { select?: unknown };
  /** Sub-document and document-array paths carry their own schema. */
  schema?: SchemaLike;
}
interface SchemaLike {
  eachPath(visit: (path: string, type: SchemaPathLike) => void): void;
}

export function selectHiddenPaths(schema: unknown, prefix = '', depth = 0): string[] {
  if (!isSchemaLike(schema) || depth > 10) return [];
  const hidden: string[] = [];
  schema.eachPath((path, type) => {
    const fullPath = prefix ? `${prefix}.${path}` : path;
    if (type?.options?.select === false) hidden.push(fullPath);
    else if (type?.schema) hidden.push(...selectHiddenPaths(type.schema, fullPath, depth + 1));
  });
  return hidden;
}

function isSchemaLike(value: unknown): value is SchemaLike {
  return typeof (value as SchemaLike | undefined)?.eachPath === 'function';
}
