import express, { type Router } from 'express';

/**
 * The demo CRM's own sign-in and sign-out pages, as any host has them: the audit log page only
 * links here (`DEMO_ADMIN_PAGE`). Both talk to the CRM's public tRPC API (`auth.login`,
 * `auth.logout`), so the session cookie, the recorded login events and any sign-in throttling are
 * exactly the API's. Scripts are a file, not inline: helmet's CSP allows `script-src 'self'` only.
 */
export const DEMO_ADMIN_PAGE = { trpcUrl: '/trpc', signInUrl: '/login?next={returnTo}', signOutUrl: '/logout?next={returnTo}' };

/** Serves `/login`, `/logout` and their script. */
export function createLoginPageRouter(): Router {
  const routes = express.Router();
  routes.get('/login', (_req, res) => void res.set('cache-control', 'no-store').type('html').send(LOGIN_PAGE));
  routes.get('/logout', (_req, res) => void res.set('cache-control', 'no-store').type('html').send(LOGOUT_PAGE));
  routes.get('/auth-pages.js', (_req, res) => void res.type('text/javascript').send(AUTH_PAGES_SCRIPT));
  return routes;
}

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Demo CRM</title><link rel="icon" href="data:,">
<style>
  body { font: 16px/1.5 system-ui, sans-serif; background: #f4f5f7; color: #1d2433; margin: 0; display: grid; place-items: center; min-height: 100vh; }
  main { background: #fff; border: 1px solid #d9dde3; border-radius: 12px; padding: 2rem; width: min(24rem, calc(100vw - 2rem)); box-sizing: border-box; }
  h1 { font-size: 1.4rem; margin: 0 0 .5rem; } label { display: grid; gap: .25rem; margin: 1rem 0; font-weight: 600; }
  input { font: inherit; font-weight: 400; padding: .5rem .6rem; border: 1px solid #b8bfca; border-radius: 6px; }
  button { font: inherit; font-weight: 600; padding: .55rem 1rem; border: 0; border-radius: 6px; background: #2f5bd3; color: #fff; cursor: pointer; }
  button:disabled { opacity: .6; } .muted { color: #5b6474; } [role=alert] { color: #b42318; }
</style></head>
<body>${body}<script src="/auth-pages.js"></script></body></html>`;

const LOGIN_PAGE = page(
  'Sign in',
  `<main data-page="login"><form aria-labelledby="login-title">
<h1 id="login-title">Sign in to the Demo CRM</h1>
<p class="muted">Use one of the logins printed by <code>npm start</code>.</p>
<label>Workspace <input name="tenant" value="acme" autocomplete="organization" required></label>
<label>E-mail <input name="email" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<p role="alert" id="problem"></p>
<button type="submit">Sign in</button>
</form></main>`,
);

const LOGOUT_PAGE = page('Signing out', `<main data-page="logout"><h1>Signing out…</h1><p role="alert" id="problem"></p></main>`);

/**
 * Plain browser JavaScript (no build). `next` must be a path on this site: an open redirect
 * would let a link here send someone elsewhere after signing in.
 */
const AUTH_PAGES_SCRIPT = `'use strict';
const next = (() => {
  const given = new URLSearchParams(location.search).get('next') || '';
  return /^\\/(?![\\/\\\\])/.test(given) ? given : '/audit-log';
})();
const problem = document.getElementById('problem');
const call = (path, input) =>
  fetch('/trpc/' + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ json: input }) });
const messageOf = async (response) => {
  const body = await response.json().catch(() => null);
  // tRPC's error ({ error: { json: { message } } }) or the CRM's HTTP guards' ({ error: message }).
  const error = body && body.error;
  return (error && error.json && error.json.message) || (typeof error === 'string' && error) || 'HTTP ' + response.status;
};

const form = document.querySelector('[data-page="login"] form');
if (form) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    button.textContent = 'Signing in…';
    problem.textContent = '';
    try {
      const response = await call('auth.login', Object.fromEntries(new FormData(form)));
      if (response.ok) return location.assign(next);
      problem.textContent = response.status === 401 ? 'Wrong workspace, e-mail or password.' : 'Could not sign in: ' + (await messageOf(response));
    } catch (error) {
      problem.textContent = 'Could not sign in: ' + error.message;
    }
    button.disabled = false;
    button.textContent = 'Sign in';
  });
}

if (document.querySelector('[data-page="logout"]')) {
  // On load, as a link: a page elsewhere could sign someone out, which costs a sign-in, nothing more.
  // Signed out already (401) is signed out too.
  call('auth.logout', undefined).then(
    async (response) => {
      if (response.ok || response.status === 401) return location.replace('/login?next=' + encodeURIComponent(next));
      problem.textContent = 'Could not sign out: ' + (await messageOf(response));
    },
    (error) => { problem.textContent = 'Could not sign out: ' + error.message; },
  );
}
`;
