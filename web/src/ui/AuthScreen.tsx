// Sign-in and registration: the contract's rules checked as the user types (shown once a field was
// left or the form sent), and the server's answer shown beside the field it is about.
import { useSelector } from '@xstate/react';
import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { isApiError } from '../api/client';
import { session } from '../app/session';

type Field = 'username' | 'displayName' | 'password' | 'confirm';

export function usernameProblem(username: string): string | undefined {
  const normalized = username.trim().toLowerCase();
  if (normalized.length < 3) return 'At least 3 characters';
  if (normalized.length > 32) return 'At most 32 characters';
  if (!/^[a-z0-9_.]+$/.test(normalized)) return 'Only letters, digits, “_” and “.”';
  return undefined;
}

export function passwordProblem(password: string): string | undefined {
  return password.length < 8 ? 'At least 8 characters' : undefined;
}

export function AuthScreen({ mode }: { mode: 'login' | 'register' }) {
  const busy = useSelector(session, (state) => state.matches('signingIn'));
  const serverError = useSelector(session, (state) => state.context.error);
  const endedBecause = useSelector(session, (state) => state.context.endedBecause);
  const [values, setValues] = useState<Record<Field, string>>({ username: '', displayName: '', password: '', confirm: '' });
  const [touched, setTouched] = useState<Partial<Record<Field, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const id = useId();
  const registering = mode === 'register';

  const problems: Partial<Record<Field, string>> = registering
    ? {
        username: usernameProblem(values.username),
        password: passwordProblem(values.password),
        confirm: values.confirm !== values.password ? 'The passwords differ' : undefined,
        displayName: values.displayName.length > 64 ? 'At most 64 characters' : undefined,
      }
    : { username: values.username.trim() ? undefined : 'Enter your username', password: values.password ? undefined : 'Enter your password' };

  // The server's own word, on the field it names when it names one.
  const serverProblems: Partial<Record<Field, string>> = {};
  let formProblem: string | undefined;
  if (serverError && !busy) {
    if (isApiError(serverError)) {
      if (serverError.status === 409) serverProblems.username = 'That username is taken';
      for (const violation of serverError.violations) {
        const field = violation.field === 'newPassword' ? 'password' : violation.field;
        if (field === 'username' || field === 'password' || field === 'displayName') serverProblems[field] ??= serverError.message;
      }
      if (Object.keys(serverProblems).length === 0) {
        formProblem = serverError.status === 401 ? 'Wrong username or password' : serverError.status === 429 ? 'Too many attempts: wait a moment' : serverError.message;
      }
    } else formProblem = 'The server cannot be reached';
  } else if (endedBecause === 'refresh_failed') formProblem = 'Your session ended: sign in again';

  const shown = (field: Field) => ((touched[field] || submitted) && problems[field]) || serverProblems[field];

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.values(problems).some(Boolean)) return;
    const credentials = {
      username: values.username.trim(),
      password: values.password,
      ...(registering && values.displayName.trim() ? { displayName: values.displayName.trim() } : {}),
    };
    session.send({ type: registering ? 'REGISTER' : 'LOGIN', credentials });
  };

  const field = (name: Field, label: string, type = 'text', autoComplete?: string, hint?: string) => {
    const problem = shown(name);
    return (
      <div className="field">
        <label htmlFor={`${id}-${name}`}>{label}</label>
        <input
          id={`${id}-${name}`}
          name={name}
          type={type}
          autoComplete={autoComplete}
          value={values[name]}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem || hint ? `${id}-${name}-note` : undefined}
          onChange={(event) => setValues((current) => ({ ...current, [name]: event.target.value }))}
          onBlur={() => setTouched((current) => ({ ...current, [name]: true }))}
        />
        {problem ? (
          <p className="field-error" id={`${id}-${name}-note`} role="alert">
            {problem}
          </p>
        ) : hint ? (
          <p className="field-hint" id={`${id}-${name}-note`}>
            {hint}
          </p>
        ) : null}
      </div>
    );
  };

  return (
    <main className="auth">
      <form className="auth-card" onSubmit={onSubmit} noValidate aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`}>{registering ? 'Create your account' : 'Sign in'}</h1>
        {field('username', 'Username', 'text', 'username', registering ? '3–32 of a–z, 0–9, “_” and “.”' : undefined)}
        {registering && field('displayName', 'Display name (optional)', 'text', 'nickname')}
        {field('password', 'Password', 'password', registering ? 'new-password' : 'current-password', registering ? 'At least 8 characters' : undefined)}
        {registering && field('confirm', 'Repeat the password', 'password', 'new-password')}
        {formProblem && (
          <p className="form-error" role="alert">
            {formProblem}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'One moment…' : registering ? 'Create account' : 'Sign in'}
        </button>
        <p className="auth-switch">
          {registering ? (
            <>
              Have an account? <Link to="/login">Sign in</Link>
            </>
          ) : (
            <>
              New here? <Link to="/register">Create an account</Link>
            </>
          )}
        </p>
      </form>
    </main>
  );
}
