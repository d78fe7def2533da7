import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from './trpc';

/** The demo CRM's sign-in (auth.login); a real host would send people to its own login instead. */
export function LoginPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [tenant, setTenant] = useState('acme');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation(trpc.auth.login.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.auth.me.queryFilter()) }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ tenant, email, password });
  };

  return (
    <main className="full-page">
      <form className="full-page-card login-form" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to the audit log</h1>
        <p className="muted">Demo CRM: use one of the logins printed by <code>npm start</code>.</p>
        <label>
          Workspace
          <input name="tenant" value={tenant} onChange={(event) => setTenant(event.target.value)} autoComplete="organization" required />
        </label>
        <label>
          E-mail
          <input name="email" type="email" value={email} onChange={(event) => setEmail(event.target.value)} autoComplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" value={password} onChange={(event) => setPassword(event.target.value)} autoComplete="current-password" required />
        </label>
        {login.isError && (
          <p className="form-error" role="alert">
            {login.error.data?.code === 'UNAUTHORIZED' ? 'Wrong workspace, e-mail or password.' : `Could not sign in: ${login.error.message}`}
          </p>
        )}
        <button type="submit" className="button" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
