// The signed-in session: tokens live in memory only (never in storage), the access token is refreshed
// a while before it expires, and a refresh that fails signs the user out.
import { assign, fromPromise, setup } from 'xstate';
import type { AuthAnswer, Profile, Tokens } from '../api/types';

export interface Credentials {
  readonly username: string;
  readonly password: string;
  readonly displayName?: string;
}

export interface SessionTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch milliseconds when the access token stops working. */
  readonly expiresAt: number;
}

export interface SessionContext {
  readonly tokens?: SessionTokens;
  readonly user?: Profile;
  /** Why the last sign-in failed, or why the session ended. */
  readonly error?: unknown;
  readonly endedBecause?: 'logout' | 'refresh_failed';
}

export type SessionEvent =
  | { type: 'LOGIN'; credentials: Credentials }
  | { type: 'REGISTER'; credentials: Credentials }
  | { type: 'LOGOUT' }
  /** The server refused the access token: refresh now rather than at the planned time. */
  | { type: 'TOKEN_REJECTED' }
  | { type: 'PROFILE_CHANGED'; user: Profile };

/** Refresh this long before the access token expires, but never sooner than MIN_REFRESH_DELAY_MS from now. */
export const REFRESH_MARGIN_MS = 60_000;
export const MIN_REFRESH_DELAY_MS = 5_000;

export function refreshDelayMs(tokens: SessionTokens | undefined, now: number): number {
  if (!tokens) return MIN_REFRESH_DELAY_MS;
  const lifetime = tokens.expiresAt - now;
  // A short-lived token is refreshed at 80 % of its life rather than a fixed margin before its end.
  const margin = Math.min(REFRESH_MARGIN_MS, lifetime * 0.2);
  return Math.max(MIN_REFRESH_DELAY_MS, lifetime - margin);
}

const toSessionTokens = (tokens: Tokens, now: number): SessionTokens => ({
  accessToken: tokens.accessToken,
  refreshToken: tokens.refreshToken,
  expiresAt: now + tokens.expiresIn * 1000,
});

function signedInWith(answer: AuthAnswer): Partial<SessionContext> {
  return { tokens: toSessionTokens(answer, Date.now()), user: answer.user, error: undefined, endedBecause: undefined };
}

export const sessionMachine = setup({
  types: { context: {} as SessionContext, events: {} as SessionEvent },
  actors: {
    signIn: fromPromise<AuthAnswer, { mode: 'login' | 'register'; credentials: Credentials }>(async () => {
      throw new Error('signIn is provided by the app');
    }),
    refresh: fromPromise<Tokens, { refreshToken: string }>(async () => {
      throw new Error('refresh is provided by the app');
    }),
    signOut: fromPromise<void, { accessToken: string }>(async () => undefined),
  },
  actions: {
    forget: assign({ tokens: undefined, user: undefined, error: undefined, endedBecause: 'logout' as const }),
  },
  delays: {
    refreshDelay: ({ context }) => refreshDelayMs(context.tokens, Date.now()),
  },
}).createMachine({
  id: 'session',
  initial: 'signedOut',
  context: {},
  states: {
    signedOut: {
      on: {
        LOGIN: { target: 'signingIn.login', actions: assign({ error: undefined, endedBecause: undefined }) },
        REGISTER: { target: 'signingIn.register', actions: assign({ error: undefined, endedBecause: undefined }) },
      },
    },
    signingIn: {
      initial: 'login',
      states: {
        login: {
          invoke: {
            src: 'signIn',
            input: ({ event }) => ({ mode: 'login' as const, credentials: (event as Extract<SessionEvent, { type: 'LOGIN' }>).credentials }),
            onDone: { target: '#session.signedIn', actions: assign(({ event }) => signedInWith(event.output)) },
            onError: { target: '#session.signedOut', actions: assign({ error: ({ event }) => event.error }) },
          },
        },
        register: {
          invoke: {
            src: 'signIn',
            input: ({ event }) => ({ mode: 'register' as const, credentials: (event as Extract<SessionEvent, { type: 'REGISTER' }>).credentials }),
            onDone: { target: '#session.signedIn', actions: assign(({ event }) => signedInWith(event.output)) },
            onError: { target: '#session.signedOut', actions: assign({ error: ({ event }) => event.error }) },
          },
        },
      },
    },
    signedIn: {
      initial: 'active',
      on: {
        LOGOUT: 'signingOut',
        PROFILE_CHANGED: { actions: assign({ user: ({ event }) => event.user }) },
      },
      states: {
        active: {
          after: { refreshDelay: 'refreshing' },
          on: { TOKEN_REJECTED: 'refreshing' },
        },
        refreshing: {
          invoke: {
            src: 'refresh',
            input: ({ context }) => ({ refreshToken: context.tokens?.refreshToken ?? '' }),
            onDone: { target: 'active', actions: assign({ tokens: ({ event }) => toSessionTokens(event.output, Date.now()) }) },
            onError: {
              target: '#session.signedOut',
              // Why it ended is the news, not the refresh call's own error.
              actions: assign({ tokens: undefined, user: undefined, error: undefined, endedBecause: 'refresh_failed' as const }),
            },
          },
        },
      },
    },
    signingOut: {
      invoke: {
        src: 'signOut',
        input: ({ context }) => ({ accessToken: context.tokens?.accessToken ?? '' }),
        // Signed out locally whatever the server says: the tokens are forgotten either way.
        onDone: { target: 'signedOut', actions: 'forget' },
        onError: { target: 'signedOut', actions: 'forget' },
      },
    },
  },
});
