import { DEMO_PASSWORD, DEMO_TENANTS } from './seed-data';

/** A plain page at `/` so a person who opens the URL learns how to use the API. */
export function renderHomePage(): string {
  const logins = DEMO_TENANTS.flatMap((tenant) => tenant.users.map((user) => `<li><code>${tenant.id}</code> · ${user.email} (${user.role})</li>`)).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo CRM</title></head><body>
<h1>Demo CRM with audit log</h1>
<p><a href="/audit-log">Open the audit log</a> (administrators) to search, watch live and export what happened.</p>
<p>The CRM's tRPC API is at <code>/trpc</code> (superjson). Sign in with <code>auth.login</code> { tenant, email, password }; the session is a cookie.</p>
<p>Demo logins (password <code>${DEMO_PASSWORD}</code>):</p><ul>${logins}</ul>
</body></html>`;
}
