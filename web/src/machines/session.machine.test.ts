import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import { ApiError } from '../api/client';
import type { AuthAnswer, Profile, Tokens } from '../api/types';
import { MIN_REFRESH_DELAY_MS, refreshDelayMs, sessionMachine, type Credentials } from './session.machine';

const alice: Profile = { id: 'u1', username: 'alice', displayName: 'Alice', avatarUrl: null, online: true, lastSeenAt: null, bio: '', statusText: '' };
const answer = (n: number, expiresIn = 900): AuthAnswer => ({ user: alice, accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresIn });

function start(options: { signIn?: (mode: string, c: Credentials) => Promise<AuthAnswer>; refresh?: (token: string) => Promise<Tokens> } = {}) {
  const calls = { refresh: [] as string[], signOut: [] as string[] };
  const machine = sessionMachine.provide({
    actors: {
      signIn: fromPromise(async ({ input }) => (options.signIn ?? (async () => answer(1)))(input.mode, input.credentials)),
      refresh: fromPromise(async ({ input }) => {
        calls.refresh.push(input.refreshToken);
        return (options.refresh ?? (async () => answer(calls.refresh.length + 1)))(input.refreshToken);
      }),
      signOut: fromPromise(async ({ input }) => {
        calls.signOut.push(input.accessToken);
      }),
    },
  });
  const actor = createActor(machine).start();
  return { actor, calls };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe('session machine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('signs in with a login and keeps the tokens and the user in memory', async () => {
    const { actor } = start();
    actor.send({ type: 'LOGIN', credentials: { username: 'alice', password: 'secret123' } });
    expect(actor.getSnapshot().matches('signingIn')).toBe(true);
    await flush();
    const snapshot = actor.getSnapshot();
    expect(snapshot.matches('signedIn')).toBe(true);
    expect(snapshot.context.tokens?.accessToken).toBe('access-1');
    expect(snapshot.context.user?.username).toBe('alice');
  });

  it('registers through the same path with mode register', async () => {
    const modes: string[] = [];
    const { actor } = start({ signIn: async (mode) => (modes.push(mode), answer(1)) });
    actor.send({ type: 'REGISTER', credentials: { username: 'alice', password: 'secret123' } });
    await flush();
    expect(modes).toEqual(['register']);
    expect(actor.getSnapshot().matches('signedIn')).toBe(true);
  });

  it('stays signed out with the server’s error when the sign-in is refused', async () => {
    const { actor } = start({ signIn: async () => Promise.reject(new ApiError(401, 'UNAUTHENTICATED', 'Wrong username or password')) });
    actor.send({ type: 'LOGIN', credentials: { username: 'alice', password: 'nope-nope' } });
    await flush();
    const snapshot = actor.getSnapshot();
    expect(snapshot.matches('signedOut')).toBe(true);
    expect((snapshot.context.error as ApiError).code).toBe('UNAUTHENTICATED');
  });

  it('refreshes the access token a minute before it expires, with the rotated refresh token each time', async () => {
    const { actor, calls } = start();
    actor.send({ type: 'LOGIN', credentials: { username: 'alice', password: 'secret123' } });
    await flush();
    await vi.advanceTimersByTimeAsync(900_000 - 60_000 - 1);
    expect(calls.refresh).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.refresh).toEqual(['refresh-1']);
    expect(actor.getSnapshot().context.tokens?.accessToken).toBe('access-2');
    await vi.advanceTimersByTimeAsync(840_000);
    expect(calls.refresh).toEqual(['refresh-1', 'refresh-2']);
    expect(actor.getSnapshot().matches({ signedIn: 'active' })).toBe(true);
  });

  it('refreshes at once when the server rejects the access token', async () => {
    const { actor, calls } = start();
    actor.send({ type: 'LOGIN', credentials: { username: 'alice', password: 'secret123' } });
    await flush();
    actor.send({ type: 'TOKEN_REJECTED' });
    await flush();
    expect(calls.refresh).toEqual(['refresh-1']);
    expect(actor.getSnapshot().context.tokens?.accessToken).toBe('access-2');
  });

  it('signs out, forgetting the tokens, when the refresh fails', async () => {
    const { actor } = start({ refresh: async () => Promise.reject(new ApiError(401, 'UNAUTHENTICATED', 'reused')) });
    actor.send({ type: 'LOGIN', credentials: { username: 'alice', password: 'secret123' } });
    await flush();
    actor.send({ type: 'TOKEN_REJECTED' });
    await flush();
    const snapshot = actor.getSnapshot();
    expect(snapshot.matches('signedOut')).toBe(true);
    expect(snapshot.context.tokens).toBeUndefined();
    expect(snapshot.context.endedBecause).toBe('refresh_failed');
    actor.send({ type: 'LOGIN', credentials: { username: 'alice', password: 'secret123' } });
    expect(actor.getSnapshot().context.endedBecause).toBeUndefined();
  });

  it('logs out: tells the server with the access token, and forgets the tokens even if that call fails', async () => {
    const { actor, calls } = start();
    actor.send({ type: 'LOGIN', credentials: { username: 'alice', password: 'secret123' } });
    await flush();
    actor.send({ type: 'LOGOUT' });
    await flush();
    expect(calls.signOut).toEqual(['access-1']);
    expect(actor.getSnapshot().matches('signedOut')).toBe(true);
    expect(actor.getSnapshot().context.tokens).toBeUndefined();
    expect(actor.getSnapshot().context.endedBecause).toBe('logout');
  });

  it('plans short-lived tokens at 80 % of their life, and never sooner than the minimum delay', () => {
    const now = 1_000_000;
    expect(refreshDelayMs({ accessToken: '', refreshToken: '', expiresAt: now + 100_000 }, now)).toBe(80_000);
    expect(refreshDelayMs({ accessToken: '', refreshToken: '', expiresAt: now + 900_000 }, now)).toBe(840_000);
    expect(refreshDelayMs({ accessToken: '', refreshToken: '', expiresAt: now + 1_000 }, now)).toBe(MIN_REFRESH_DELAY_MS);
  });
});
