import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from './client';

function clientAnswering(answer: (url: string, init: RequestInit) => Response | Promise<Response>, token?: string) {
  const requests: { url: string; init: RequestInit }[] = [];
  let unauthorized = 0;
  const client = new ApiClient({
    baseUrl: 'http://chat.test',
    accessToken: () => token,
    onUnauthorized: () => void (unauthorized += 1),
    fetch: (async (url: string, init: RequestInit) => {
      requests.push({ url, init });
      return answer(url, init);
    }) as typeof fetch,
  });
  return { client, requests, unauthorized: () => unauthorized };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('API client', () => {
  it('sends the access token and JSON, and reads the answer', async () => {
    const { client, requests } = clientAnswering(() => json(201, { message: { id: 'm1', seq: 3 } }), 'token-1');
    const message = await client.send('room 1', { clientMessageId: 'c1', text: 'hi' });
    expect(message).toEqual({ id: 'm1', seq: 3 });
    expect(requests[0]!.url).toBe('http://chat.test/api/rooms/room%201/messages');
    expect(requests[0]!.init.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer token-1' });
    expect(JSON.parse(String(requests[0]!.init.body))).toEqual({ clientMessageId: 'c1', text: 'hi' });
  });

  it('turns the contract’s error body into an ApiError with its code, message and field violations', async () => {
    const { client } = clientAnswering(() =>
      json(400, { error: { code: 'VALIDATION_FAILED', message: 'invalid username', details: [{ field: 'username', rule: 'pattern' }] } }),
    );
    const error = (await client.register({ username: 'A b', password: 'x' }).catch((caught: unknown) => caught)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: 'invalid username' });
    expect(error.violations).toEqual([{ field: 'username', rule: 'pattern' }]);
    expect(error.retryable).toBe(false);
  });

  it('tells the session about a refused token, but not for a failed sign-in', async () => {
    const { client, unauthorized } = clientAnswering(() => json(401, { error: { code: 'UNAUTHENTICATED', message: 'expired' } }), 'old');
    await expect(client.rooms()).rejects.toMatchObject({ status: 401 });
    await expect(client.login({ username: 'alice', password: 'wrong-one' })).rejects.toMatchObject({ status: 401 });
    expect(unauthorized()).toBe(1);
  });

  it('reports an unreachable server as status 0, worth retrying', async () => {
    const { client } = clientAnswering(() => Promise.reject(new TypeError('Failed to fetch')));
    const error = (await client.rooms().catch((caught: unknown) => caught)) as ApiError;
    expect(error).toMatchObject({ status: 0, code: 'NETWORK' });
    expect(error.retryable).toBe(true);
  });

  it('encodes emoji in reaction paths and builds history queries', async () => {
    const { client, requests } = clientAnswering((url) => (url.includes('/messages?') ? json(200, { messages: [] }) : new Response(null, { status: 204 })));
    await client.react('r1', 'm1', '👍');
    await client.history('r1', { after: 7, limit: 100 });
    expect(requests.map((request) => `${request.init.method} ${request.url}`)).toEqual([
      'PUT http://chat.test/api/rooms/r1/messages/m1/reactions/%F0%9F%91%8D',
      'GET http://chat.test/api/rooms/r1/messages?after=7&limit=100',
    ]);
  });
});
