// Routes: sign-in and registration for visitors; the rooms (a room open by its id: a deep link) and
// the profile settings once signed in. A visitor following a deep link signs in and lands there.
import { useSelector } from '@xstate/react';
import { useEffect, useState } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import type { ClientConfig } from '../api/types';
import { Chat } from '../app/chat';
import { ChatContext } from '../app/context';
import { api, session } from '../app/session';
import { AuthScreen } from './AuthScreen';
import { ChatScreen } from './ChatScreen';
import { SettingsScreen } from './SettingsScreen';

export function App() {
  const signedIn = useSelector(session, (state) => state.matches('signedIn'));
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  if (!signedIn) {
    return (
      <Routes>
        <Route path="/login" element={<AuthScreen mode="login" />} />
        <Route path="/register" element={<AuthScreen mode="register" />} />
        <Route path="*" element={<Navigate to="/login" replace state={{ from: location.pathname }} />} />
      </Routes>
    );
  }
  return (
    <SignedIn>
      <Routes>
        <Route path="/rooms/:roomId?" element={<ChatScreen />} />
        <Route path="/settings" element={<SettingsScreen />} />
        <Route path="*" element={<Navigate to={from && from.startsWith('/rooms') ? from : '/rooms'} replace />} />
      </Routes>
    </SignedIn>
  );
}

/** Starts the client (config, connection, outbox) for the signed-in user and stops it on sign-out. */
function SignedIn({ children }: { children: React.ReactNode }) {
  const user = useSelector(session, (state) => state.context.user);
  const [config, setConfig] = useState<ClientConfig>();
  const [chat, setChat] = useState<Chat>();
  const [problem, setProblem] = useState<string>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    api
      .config()
      .then((loaded) => !cancelled && setConfig(loaded))
      .catch((error: unknown) => !cancelled && setProblem(error instanceof Error ? error.message : 'The server cannot be reached'));
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  const userId = user?.id;
  useEffect(() => {
    if (!config || !userId) return;
    const me = session.getSnapshot().context.user!;
    const started = new Chat(api, config, me, () => session.getSnapshot().context.tokens?.accessToken, () => session.send({ type: 'TOKEN_REJECTED' }));
    started.start();
    setChat(started);
    return () => {
      started.stop();
      setChat(undefined);
    };
  }, [config, userId]);

  // A refreshed access token renews the live connection, which the server would otherwise close at the old one's expiry.
  const accessToken = useSelector(session, (state) => state.context.tokens?.accessToken);
  useEffect(() => {
    if (chat && accessToken) chat.tokenRenewed();
  }, [chat, accessToken]);

  useEffect(() => {
    if (chat && user) {
      chat.me = user;
      chat.users.set(user.id, user);
    }
  }, [chat, user]);

  if (!chat) {
    return (
      <div className="loading-screen" role="status">
        {problem ? (
          <>
            <p>{problem}</p>
            <button type="button" onClick={() => (setProblem(undefined), setAttempt((n) => n + 1))}>
              Try again
            </button>
          </>
        ) : (
          <p>Loading…</p>
        )}
      </div>
    );
  }
  return <ChatContext.Provider value={chat}>{children}</ChatContext.Provider>;
}
