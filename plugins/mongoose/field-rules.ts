import { isSecretFieldName } from './sensitive-fields';

/**
 * Which fields a diff leaves out (bookkeeping nobody edits) and which it records without values
 * (secrets). Pure, so the rules are unit-tested apart from mongoose.
 */
export const ALWAYS_IGNORED_FIELDS = ['_id', '__v', 'updatedAt', 'createdAt'] as const;

export interface FieldRules {
  isIgnored(path: string): boolean;
  isSensitive(path: string): boolean;
}

export interface FieldRuleOptions {
  ignore?: readonly string[];
  /** Paths the host names as secret; their sub-paths are secret too. */
  redact?: readonly string[];
  /** Paths the schema declares `select: false` (read lazily: a schema may gain paths after the plugin call). */
  hiddenPaths?: () => readonly string[];
}

export function createFieldRules({ ignore = [], redact = [], hiddenPaths = () => [] }: FieldRuleOptions = {}): FieldRules {
  const ignored = new Set<string>([...ALWAYS_IGNORED_FIELDS, ...ignore]);
  const redacted = new Set(redact);
  let hidden: Set<string> | undefined;
  return {
    isIgnored: (path) => matchesPathOrParent(ignored, path),
    isSensitive: (path) => {
      hidden ??= new Set(hiddenPaths());
      // Array positions (`sessions.0.token`) are the schema path `sessions.token`.
      const schemaPath = path.split('.').filter((segment) => !/^\d+$/.test(segment)).join('.');
      return matchesPathOrParent(redacted, schemaPath) || matchesPathOrParent(hidden, schemaPath) || isSecretFieldName(schemaPath.split('.').pop() ?? schemaPath);
    },
  };
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
