/**
 * zod issues as people read them: `limit: must be at most 200; search: must be a string`. One
 * formatter for the API's BAD_REQUEST messages, the audit event's validation error, the config
 * error and the demo CRM's error formatter.
 */
export interface IssueLike {
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
  message: string;
}

export interface ReadableIssue {
  path: string;
  message: string;
}

/** The issues of a zod error (or of a tRPC error's cause), if it is one. */
export function zodIssuesOf(error: unknown): IssueLike[] | undefined {
  const issues = (error as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(issues) ? (issues as IssueLike[]) : undefined;
}

export function issuePath(issue: IssueLike, whole = 'input'): string {
  const parts = (issue.path ?? []).map((part) => String(typeof part === 'object' && part !== null ? part.key : part));
  return parts.length > 0 ? parts.join('.') : whole;
}

export function readableIssueList(issues: IssueLike[], { prefix = '', whole = 'input' }: { prefix?: string; whole?: string } = {}): ReadableIssue[] {
  return issues.map((issue) => ({ path: prefix + issuePath(issue, whole), message: issue.message }));
}

/**
 * For a tRPC error formatter's `data.zodError`: the readable issues of a validation failure (the
 * error's `cause`), or null. The audit log's own formatter and the demo CRM's use it.
 */
export function zodErrorOf(cause: unknown): ReadableIssue[] | null {
  const issues = zodIssuesOf(cause);
  return issues ? readableIssueList(issues) : null;
}

export function readableIssues(issues: IssueLike[]): string {
  return readableIssueList(issues).map(({ path, message }) => `${path}: ${message}`).join('; ');
}
