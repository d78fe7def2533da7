/**
 * Which fields a diff leaves out (bookkeeping nobody edits) and which it records without values
 * (secrets). Pure, so the rules are unit-tested apart from mongoose.
 */
export const ALWAYS_IGNORED_FIELDS = ['_id', '__v', 'updatedAt', 'createdAt'] as const;

// Matched against the last segment of a path, so `auth.passwordHash` is caught too.
const SENSITIVE_FIELD = /pass(word)?|secret|token|api_?key|private_?key|credential|ssn/i;

export interface FieldRules {
  isIgnored(path: string): boolean;
  isSensitive(path: string): boolean;
}

export function createFieldRules({ ignore = [], redact = [] }: { ignore?: readonly string[]; redact?: readonly string[] } = {}): FieldRules {
  const ignored = new Set<string>([...ALWAYS_IGNORED_FIELDS, ...ignore]);
  const redacted = new Set(redact);
  const matchesPathOrParent = (set: Set<string>, path: string) => {
    const segments = path.split('.');
    return segments.some((_, index) => set.has(segments.slice(0, index + 1).join('.')));
  };
  return {
    isIgnored: (path) => matchesPathOrParent(ignored, path),
    isSensitive: (path) => matchesPathOrParent(redacted, path) || SENSITIVE_FIELD.test(path.split('.').pop() ?? path),
  };
}
