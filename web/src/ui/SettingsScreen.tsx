// Profile settings: display name, bio and status; the password; the sessions signed in, each
// revocable; the people blocked.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { isApiError } from '../api/client';
import type { PublicProfile, SessionItem } from '../api/types';
import { useChat } from '../app/context';
import { session } from '../app/session';
import { timeOf } from '../app/format';

export function SettingsScreen() {
  return (
    <main className="settings">
      <header className="settings-header">
        <Link to="/rooms" className="back-link">
          ‹ Back to the rooms
        </Link>
        <h1>Profile settings</h1>
        <button type="button" className="secondary" onClick={() => session.send({ type: 'LOGOUT' })}>
          Sign out
        </button>
      </header>
      <ProfileForm />
      <PasswordForm />
      <Sessions />
      <Blocked />
    </main>
  );
}

function problemOf(error: unknown): string {
  if (isApiError(error)) return error.message;
  return 'The server cannot be reached';
}

function ProfileForm() {
  const chat = useChat();
  const [displayName, setDisplayName] = useState(chat.me.displayName);
  const [bio, setBio] = useState(chat.me.bio ?? '');
  const [statusText, setStatusText] = useState(chat.me.statusText ?? '');
  const [state, setState] = useState<{ kind: 'idle' | 'saving' | 'saved' } | { kind: 'failed'; problem: string }>({ kind: 'idle' });
  const nameProblem = !displayName.trim() ? 'A display name is needed' : [...displayName.trim()].length > 64 ? 'At most 64 characters' : undefined;
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (nameProblem) return;
    setState({ kind: 'saving' });
    try {
      const profile = await chat.api.updateMe({ displayName: displayName.trim(), bio: bio.trim(), statusText: statusText.trim() });
      session.send({ type: 'PROFILE_CHANGED', user: { ...chat.me, ...profile } });
      setState({ kind: 'saved' });
    } catch (error) {
      setState({ kind: 'failed', problem: problemOf(error) });
    }
  };
  return (
    <section className="settings-card" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <form onSubmit={(event) => void onSubmit(event)} noValidate>
        <div className="field">
          <label htmlFor="display-name">Display name</label>
          <input id="display-name" value={displayName} onChange={(event) => setDisplayName(event.target.value)} aria-invalid={nameProblem ? true : undefined} aria-describedby="display-name-note" />
          <p id="display-name-note" className={nameProblem ? 'field-error' : 'field-hint'}>
            {nameProblem ?? `@${chat.me.username}`}
          </p>
        </div>
        <div className="field">
          <label htmlFor="status-text">Status</label>
          <input id="status-text" value={statusText} maxLength={140} onChange={(event) => setStatusText(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="bio">Bio</label>
          <textarea id="bio" rows={3} maxLength={500} value={bio} onChange={(event) => setBio(event.target.value)} />
          <p className="field-hint">{500 - [...bio].length} characters left</p>
        </div>
        {state.kind === 'failed' && (
          <p className="form-error" role="alert">
            {state.problem}
          </p>
        )}
        <button type="submit" className="primary" disabled={state.kind === 'saving' || Boolean(nameProblem)}>
          Save profile
        </button>
        {state.kind === 'saved' && (
          <span className="saved" role="status">
            Saved
          </span>
        )}
      </form>
    </section>
  );
}

function PasswordForm() {
  const chat = useChat();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [tried, setTried] = useState(false);
  const [state, setState] = useState<{ kind: 'idle' | 'saving' | 'saved' } | { kind: 'failed'; problem: string }>({ kind: 'idle' });
  const newProblem = newPassword.length < 8 ? 'At least 8 characters' : undefined;
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (newProblem || !currentPassword) return;
    setState({ kind: 'saving' });
    try {
      await chat.api.changePassword(currentPassword, newPassword);
      setCurrentPassword('');
      setNewPassword('');
      setTried(false);
      setState({ kind: 'saved' });
    } catch (error) {
      setState({ kind: 'failed', problem: isApiError(error) && error.status === 401 ? 'The current password is wrong' : problemOf(error) });
    }
  };
  return (
    <section className="settings-card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <form onSubmit={(event) => void onSubmit(event)} noValidate>
        <div className="field">
          <label htmlFor="current-password">Current password</label>
          <input id="current-password" type="password" autoComplete="current-password" value={currentPassword} onChange={(event) => setCurrentPassword(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="new-password">New password</label>
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            value={newPassword}
            aria-invalid={tried && newProblem ? true : undefined}
            aria-describedby="new-password-note"
            onChange={(event) => setNewPassword(event.target.value)}
          />
          <p id="new-password-note" className={tried && newProblem ? 'field-error' : 'field-hint'}>
            {tried && newProblem ? newProblem : 'At least 8 characters. Your other sessions will be signed out.'}
          </p>
        </div>
        {state.kind === 'failed' && (
          <p className="form-error" role="alert">
            {state.problem}
          </p>
        )}
        <button type="submit" className="primary" disabled={state.kind === 'saving'}>
          Change password
        </button>
        {state.kind === 'saved' && (
          <span className="saved" role="status">
            Password changed
          </span>
        )}
      </form>
    </section>
  );
}

function Sessions() {
  const chat = useChat();
  const [sessions, setSessions] = useState<SessionItem[]>();
  const load = useCallback(() => {
    chat.api.sessions().then(setSessions, () => setSessions([]));
  }, [chat.api]);
  useEffect(load, [load]);
  return (
    <section className="settings-card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Active sessions</h2>
      {!sessions ? (
        <p role="status">Loading…</p>
      ) : (
        <ul className="sessions">
          {sessions.map((item) => (
            <li key={item.id}>
              <span>
                <strong>{describeAgent(item.userAgent)}</strong>
                {item.current && <span className="tag">this device</span>}
                <br />
                <small>
                  {item.ip ?? 'unknown address'} · last used {new Date(item.lastUsedAt).toLocaleDateString()} {timeOf(item.lastUsedAt)}
                </small>
              </span>
              {!item.current && (
                <button type="button" className="secondary" onClick={() => void chat.act(chat.api.revokeSession(item.id)).then(load)}>
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function describeAgent(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Firefox\//.test(userAgent) ? 'Firefox' : /Edg\//.test(userAgent) ? 'Edge' : /Chrom(e|ium)\//.test(userAgent) ? 'Chromium' : /Safari\//.test(userAgent) ? 'Safari' : 'Browser';
  const system = /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Mac OS/.test(userAgent) ? 'macOS' : /Windows/.test(userAgent) ? 'Windows' : /Linux/.test(userAgent) ? 'Linux' : '';
  return system ? `${browser} on ${system}` : browser;
}

function Blocked() {
  const chat = useChat();
  const [blocked, setBlocked] = useState<PublicProfile[]>();
  const load = useCallback(() => {
    chat.api.blocks().then(setBlocked, () => setBlocked([]));
  }, [chat.api]);
  useEffect(load, [load]);
  return (
    <section className="settings-card" aria-labelledby="blocked-title">
      <h2 id="blocked-title">Blocked people</h2>
      {!blocked ? (
        <p role="status">Loading…</p>
      ) : blocked.length === 0 ? (
        <p>Nobody is blocked.</p>
      ) : (
        <ul className="sessions">
          {blocked.map((user) => (
            <li key={user.id}>
              <span>
                {user.displayName} <small>@{user.username}</small>
              </span>
              <button type="button" className="secondary" onClick={() => void chat.act(chat.api.unblock(user.id)).then(load)}>
                Unblock
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
