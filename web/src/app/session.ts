// The one session of the page and the API client that carries its access token.
import { createActor, fromPromise } from 'xstate';
import { ApiClient } from '../api/client';
import { sessionMachine } from '../machines/session.machine';

export const api: ApiClient = new ApiClient({
  accessToken: (): string | undefined => session.getSnapshot().context.tokens?.accessToken,
  onUnauthorized: (): void => session.send({ type: 'TOKEN_REJECTED' }),
});

export const session = createActor(
  sessionMachine.provide({
    actors: {
      signIn: fromPromise(({ input }) => (input.mode === 'register' ? api.register(input.credentials) : api.login(input.credentials))),
      refresh: fromPromise(({ input }) => api.refresh(input.refreshToken)),
      signOut: fromPromise(() => api.logout()),
    },
  }),
);

session.start();
