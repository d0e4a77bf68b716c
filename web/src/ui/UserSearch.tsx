// Finds people by the start of their username or display name, as the user types.
import { useEffect, useId, useState } from 'react';
import type { PublicProfile } from '../api/types';
import { useChat } from '../app/context';
import { presenceLine } from '../app/format';
import { PresenceDot } from './PresenceDot';

export function UserSearch({
  label,
  placeholder,
  onPick,
  pickLabel,
  exclude = [],
}: {
  label: string;
  placeholder: string;
  onPick: (user: PublicProfile) => void;
  pickLabel: (user: PublicProfile) => string;
  exclude?: readonly string[];
}) {
  const chat = useChat();
  const id = useId();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<PublicProfile[]>([]);

  useEffect(() => {
    const text = query.trim();
    if (!text) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      chat.api
        .searchUsers(text, 8)
        .then((found) => {
          if (cancelled) return;
          chat.notePeople(found);
          setResults(found);
        })
        .catch(() => !cancelled && setResults([]));
    }, 150);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [query, chat]);

  // As the client knows them now: presence frames keep the people who share a room with the reader live.
  const shown = query.trim() ? results.filter((user) => user.id !== chat.me.id && !exclude.includes(user.id)).map((user) => chat.users.get(user.id) ?? user) : [];
  return (
    <div className="user-search">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input id={id} type="search" placeholder={placeholder} value={query} onChange={(event) => setQuery(event.target.value)} autoComplete="off" />
      {shown.length > 0 && (
        <ul className="search-results" aria-label={`${label}: results`}>
          {shown.map((user) => (
            <li key={user.id}>
              <button
                type="button"
                aria-label={`${pickLabel(user)}, ${presenceLine(user)}`}
                onClick={() => {
                  onPick(user);
                  setQuery('');
                  setResults([]);
                }}
              >
                <PresenceDot person={user} />
                <span>{user.displayName}</span>
                <span className="username">@{user.username}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
