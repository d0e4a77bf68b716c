// Identity end to end over real HTTP: command-api, query-api and the projectors in one process (as
// `npm start` runs them), on a temporary DATA_DIR; and the core of it again on MySQL and Redis.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describeIntegration, SIGNING_KEY_FILE, uniqueSuffix } from '@chat/platform';
import { base64url, importJWK, type JWK, SignJWT } from 'jose';
import { type EmbeddedTestApp, startEmbeddedApp } from '../testing/embedded-app';
import { type Answer, HttpClient, someIp } from '../testing/http-client';

interface Profile {
  id: string;
  username: string;
  displayName: string;
  bio: string;
  statusText: string;
  avatarUrl: string | null;
  online: boolean;
  lastSeenAt: string | null;
}
interface SignedIn {
  user: Profile;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}
interface ErrorBody {
  error: { code: string; message: string; details?: { reason?: string; issues?: { path: string }[]; retryAfterSeconds?: number } };
}

let names = 0;
/** A username no other test (or earlier run on a shared database) uses. */
const freshName = () => `u${++names}_${uniqueSuffix()}`.slice(0, 32);
const password = 'correct horse battery staple';

/** The same behaviours, whichever stores back the app. */
function identityScenarios(context: () => { app: EmbeddedTestApp; client: HttpClient }): void {
  const client = () => context().client;
  const caughtUp = () => context().app.caughtUp();

  async function register(username = freshName(), extra: Record<string, unknown> = {}): Promise<SignedIn> {
    const answer = await client().post<SignedIn>('/api/auth/register', { username, password, ...extra });
    expect(answer.status).toBe(201);
    return answer.body;
  }

  async function logIn(username: string, secret = password, ip = someIp()): Promise<Answer<SignedIn & ErrorBody>> {
    return client().post('/api/auth/login', { username, password: secret }, { ip });
  }

  const me = (token: string) => client().get<Profile & ErrorBody>('/api/users/me', { token });

  it('registers a user: 201 with the profile and tokens, and the access token works', async () => {
    const username = freshName();
    const signedIn = await register(username.toUpperCase(), { displayName: 'Alice Liddell' });
    expect(signedIn).toEqual({
      user: expect.objectContaining({ id: expect.any(String), username, displayName: 'Alice Liddell', bio: '', statusText: '', avatarUrl: null, online: false }),
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 900,
    });
    await caughtUp();
    const profile = await me(signedIn.accessToken);
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ id: signedIn.user.id, username, displayName: 'Alice Liddell' });
  });

  it('answers 409 for a username already taken, whatever its case', async () => {
    const username = freshName();
    await register(username);
    const again = await client().post<ErrorBody>('/api/auth/register', { username: username.toUpperCase(), password });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CONFLICT', details: { reason: 'USERNAME_TAKEN' } });
  });

  it('lets exactly one of two racing registrations of a name win', async () => {
    const username = freshName();
    const answers = await Promise.all([
      client().post('/api/auth/register', { username, password }),
      client().post('/api/auth/register', { username: username.toUpperCase(), password: `${password}!` }),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
  });

  it('answers a wrong password and an unknown user with the same 401', async () => {
    const username = freshName();
    await register(username);
    const wrongPassword = await logIn(username, 'not the password');
    const unknownUser = await logIn(freshName(), password);
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    expect(wrongPassword.body).toEqual(unknownUser.body);
    expect(wrongPassword.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'The username or password is not correct' } });
  });

  it('logs in: 200 with the profile and a new session', async () => {
    const username = freshName();
    const registered = await register(username);
    const loggedIn = await logIn(username.toUpperCase());
    expect(loggedIn.status).toBe(200);
    expect(loggedIn.body.user).toMatchObject({ id: registered.user.id, username });
    expect(loggedIn.body.refreshToken).not.toBe(registered.refreshToken);
    expect((await me(loggedIn.body.accessToken)).status).not.toBe(401);
  });

  it('rotates refresh tokens, and a used one ends its session at once (access and refresh)', async () => {
    const signedIn = await register();
    const first = await client().post<SignedIn>('/api/auth/refresh', { refreshToken: signedIn.refreshToken });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900 });
    expect((await me(first.body.accessToken)).status).not.toBe(401);

    const reused = await client().post<ErrorBody>('/api/auth/refresh', { refreshToken: signedIn.refreshToken });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('UNAUTHENTICATED');
    expect((await me(first.body.accessToken)).status).toBe(401);
    expect((await me(signedIn.accessToken)).status).toBe(401);
    expect((await client().post('/api/auth/refresh', { refreshToken: first.body.refreshToken })).status).toBe(401);
  });

  it('refuses a refresh token that was never issued', async () => {
    const signedIn = await register();
    for (const refreshToken of ['nonsense', `${signedIn.user.id}.${'A'.repeat(43)}`, `${crypto.randomUUID()}.${'A'.repeat(43)}`]) {
      const answer = await client().post<ErrorBody>('/api/auth/refresh', { refreshToken });
      expect(answer.status).toBe(401);
    }
  });

  it('logs out: the session’s access and refresh tokens stop working at once', async () => {
    const signedIn = await register();
    const loggedOut = await client().post('/api/auth/logout', undefined, { token: signedIn.accessToken });
    expect(loggedOut.status).toBe(204);
    expect((await me(signedIn.accessToken)).status).toBe(401);
    expect((await client().post('/api/auth/refresh', { refreshToken: signedIn.refreshToken })).status).toBe(401);
  });

  it('revokes another session by id: it fails at once, the caller’s goes on', async () => {
    const username = freshName();
    const laptop = await register(username);
    const phone = (await logIn(username)).body;
    const phoneSession = JSON.parse(Buffer.from(phone.accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string };
    const revoked = await client().delete(`/api/auth/sessions/${phoneSession.sid}`, { token: laptop.accessToken });
    expect(revoked.status).toBe(204);
    expect((await me(phone.accessToken)).status).toBe(401);
    expect((await client().post('/api/auth/refresh', { refreshToken: phone.refreshToken })).status).toBe(401);
    expect((await me(laptop.accessToken)).status).not.toBe(401);
    const unknown = await client().delete<ErrorBody>(`/api/auth/sessions/${crypto.randomUUID()}`, { token: laptop.accessToken });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
  });

  it('changes the password: other sessions end at once, the caller’s goes on, only the new password logs in', async () => {
    const username = freshName();
    const laptop = await register(username);
    const phone = (await logIn(username)).body;
    const wrong = await client().put<ErrorBody>('/api/users/me/password', { currentPassword: 'not it at all', newPassword: 'a new password' }, { token: laptop.accessToken });
    expect(wrong.status).toBe(403);
    const changed = await client().put('/api/users/me/password', { currentPassword: password, newPassword: 'a new password' }, { token: laptop.accessToken });
    expect(changed.status).toBe(204);
    expect((await me(phone.accessToken)).status).toBe(401);
    expect((await client().post('/api/auth/refresh', { refreshToken: phone.refreshToken })).status).toBe(401);
    expect((await me(laptop.accessToken)).status).not.toBe(401);
    expect((await logIn(username)).status).toBe(401);
    expect((await logIn(username, 'a new password')).status).toBe(200);
  });

  it('finds users by username or display-name prefix, any case, once projected', async () => {
    const prefix = `s${uniqueSuffix()}`;
    const first = await register(`${prefix}_ann`, { displayName: 'Zed' });
    await register(`${prefix}_bob`, { displayName: 'Yvonne' });
    await register(freshName(), { displayName: `${prefix.toUpperCase()} Carol` });
    await caughtUp();
    const found = await client().get<Profile[]>(`/api/users?query=${prefix.toUpperCase()}&limit=20`, { token: first.accessToken });
    expect(found.status).toBe(200);
    expect(found.body.map((user) => user.displayName).sort()).toEqual([`${prefix.toUpperCase()} Carol`, 'Yvonne', 'Zed']);
    const limited = await client().get<Profile[]>(`/api/users?query=${prefix}&limit=1`, { token: first.accessToken });
    expect(limited.body).toHaveLength(1);
    const byId = await client().get<Profile>(`/api/users/${first.user.id}`, { token: first.accessToken });
    expect(byId.body).toMatchObject({ id: first.user.id, username: `${prefix}_ann`, displayName: 'Zed', online: false });
  });
}

describe('Identity over HTTP (embedded)', () => {
  let app: EmbeddedTestApp;
  let client: HttpClient;
  beforeAll(async () => {
    app = await startEmbeddedApp({
      env: { TRUSTED_PROXY_HOPS: '1', RATE_LIMIT_LOGIN_PER_IP: '5/60', RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '3/60/2', RATE_LIMIT_REFRESH_PER_IP: '4/60' },
    });
    client = new HttpClient(app.baseUrl);
  });
  afterAll(async () => {
    await app?.close();
  });

  identityScenarios(() => ({ app, client }));

  async function register(username = freshName(), extra: Record<string, unknown> = {}): Promise<SignedIn> {
    const answer = await client.post<SignedIn>('/api/auth/register', { username, password, ...extra });
    expect(answer.status).toBe(201);
    return answer.body;
  }

  describe('registration input', () => {
    it.each([
      [{ username: 'al-ice', password }, 'username'],
      [{ username: 'al', password }, 'username'],
      [{ username: freshName(), password: 'short' }, 'password'],
      [{ username: freshName(), password, displayName: 'two\nlines' }, 'displayName'],
      [{ username: 42, password }, 'username'],
      [{ password }, 'username'],
    ])('answers 400 naming the field for %j', async (body, field) => {
      const answer = await client.post<ErrorBody>('/api/auth/register', body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('VALIDATION_FAILED');
      expect(answer.body.error.details?.issues?.map((issue) => issue.path)).toContain(field);
    });

    it('answers 400 for a body that is not JSON, never 500', async () => {
      const response = await fetch(`${app.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
      expect(response.status).toBe(400);
      expect(((await response.json()) as ErrorBody).error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('access tokens', () => {
    const readSigningKey = async () => {
      const jwk = JSON.parse(readFileSync(path.join(app.dataDir, 'keys', SIGNING_KEY_FILE), 'utf8')) as JWK & { kid: string };
      return { kid: jwk.kid, key: await importJWK(jwk, 'EdDSA') };
    };
    const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

    it('answers 401 without a token, or with one that is not a bearer token', async () => {
      expect((await client.get('/api/users/me')).status).toBe(401);
      const response = await fetch(`${app.baseUrl}/api/users/me`, { headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' } });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    });

    it('answers 401 for an expired token, even one properly signed', async () => {
      const signedIn = await register();
      const { kid, key } = await readSigningKey();
      const past = Math.floor(Date.now() / 1000) - 3600;
      const expired = await new SignJWT({ ...claimsOf(signedIn.accessToken), iat: past, exp: past + 900 }).setProtectedHeader({ alg: 'EdDSA', kid }).sign(key);
      const answer = await client.get<ErrorBody>('/api/users/me', { token: expired });
      expect(answer.status).toBe(401);
      expect(answer.body.error.message).toBe('The access token has expired');
    });

    it('answers 401 for a tampered token', async () => {
      const victim = await register();
      const attacker = await register();
      const [header, , signature] = attacker.accessToken.split('.');
      const payload = base64url.encode(JSON.stringify({ ...claimsOf(attacker.accessToken), sub: victim.user.id }));
      expect((await client.get('/api/users/me', { token: `${header}.${payload}.${signature}` })).status).toBe(401);
    });

    it('answers 401 for alg "none" and for HS256 signed with the public key', async () => {
      const signedIn = await register();
      const claims = base64url.encode(JSON.stringify(claimsOf(signedIn.accessToken)));
      const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${claims}.`;
      expect((await client.get('/api/users/me', { token: none })).status).toBe(401);
      const jwks = await client.get<{ keys: { x: string; kid: string }[] }>('/api/auth/jwks');
      const publicKey = new TextEncoder().encode(JSON.stringify(jwks.body.keys[0]));
      const hs256 = await new SignJWT(claimsOf(signedIn.accessToken)).setProtectedHeader({ alg: 'HS256', kid: jwks.body.keys[0]!.kid }).sign(publicKey);
      expect((await client.get('/api/users/me', { token: hs256 })).status).toBe(401);
    });

    it('publishes the public key at /api/auth/jwks, kept in DATA_DIR/keys readable by its owner only', async () => {
      const jwks = await client.get<{ keys: Record<string, unknown>[] }>('/api/auth/jwks');
      expect(jwks.status).toBe(200);
      expect(jwks.body.keys).toEqual([{ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: expect.any(String), alg: 'EdDSA', use: 'sig' }]);
      expect(statSync(path.join(app.dataDir, 'keys', SIGNING_KEY_FILE)).mode & 0o777).toBe(0o600);
    });

    it('refuses every authenticated endpoint without a token', async () => {
      const someone = crypto.randomUUID();
      const calls = [
        client.post('/api/auth/logout'),
        client.get('/api/auth/sessions'),
        client.delete(`/api/auth/sessions/${someone}`),
        client.get('/api/users/me'),
        client.patch('/api/users/me', { bio: 'x' }),
        client.put('/api/users/me/password', { currentPassword: password, newPassword: password }),
        client.get('/api/users?query=a'),
        client.get(`/api/users/${someone}`),
        client.get('/api/users/me/activity'),
        client.put(`/api/users/me/blocks/${someone}`),
        client.delete(`/api/users/me/blocks/${someone}`),
        client.get('/api/users/me/blocks'),
      ];
      expect((await Promise.all(calls)).map((answer) => answer.status)).toEqual(calls.map(() => 401));
    });
  });

  describe('sessions', () => {
    it('lists the live sessions with the current one marked', async () => {
      const username = freshName();
      const laptop = await register(username);
      const phone = (await client.post<SignedIn>('/api/auth/login', { username, password }, { ip: '192.0.2.7', userAgent: 'ChatApp/2.1 (Android)' })).body;
      await client.post('/api/auth/logout', undefined, { token: (await client.post<SignedIn>('/api/auth/login', { username, password })).body.accessToken });
      await app.caughtUp();
      const sessions = await client.get<{ id: string; current: boolean; userAgent: string; ip: string; createdAt: string; lastUsedAt: string }[]>('/api/auth/sessions', {
        token: phone.accessToken,
      });
      expect(sessions.status).toBe(200);
      expect(sessions.body).toHaveLength(2);
      expect(sessions.body.find((session) => session.current)).toMatchObject({ userAgent: 'ChatApp/2.1 (Android)', ip: '192.0.2.7' });
      expect(sessions.body.filter((session) => !session.current)).toHaveLength(1);
      expect(laptop.accessToken).toBeDefined();
    });
  });

  describe('profile', () => {
    it('changes the profile: 200 with the new profile, then the reads show it', async () => {
      const signedIn = await register();
      const changed = await client.patch<Profile>('/api/users/me', { displayName: '  Alice  ', bio: 'Down the rabbit hole', statusText: 'late', avatarFileId: 'file-1' }, { token: signedIn.accessToken });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ displayName: 'Alice', bio: 'Down the rabbit hole', statusText: 'late', avatarUrl: '/api/files/file-1' });
      await app.caughtUp();
      expect((await client.get<Profile>('/api/users/me', { token: signedIn.accessToken })).body).toMatchObject(changed.body);
      const removed = await client.patch<Profile>('/api/users/me', { avatarFileId: null }, { token: signedIn.accessToken });
      expect(removed.body.avatarUrl).toBeNull();
    });

    it('answers 400 for an invalid or unknown field', async () => {
      const signedIn = await register();
      const tooLong = await client.patch<ErrorBody>('/api/users/me', { statusText: 'x'.repeat(141) }, { token: signedIn.accessToken });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.error.details?.issues?.[0]?.path).toBe('statusText');
      expect((await client.patch('/api/users/me', { username: 'renamed' }, { token: signedIn.accessToken })).status).toBe(400);
    });

    it('answers 404 for a user nobody registered', async () => {
      const signedIn = await register();
      const answer = await client.get<ErrorBody>(`/api/users/${crypto.randomUUID()}`, { token: signedIn.accessToken });
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('NOT_FOUND');
    });
  });

  describe('blocks', () => {
    it('blocks and unblocks a user, and lists whom the caller blocks', async () => {
      const alice = await register();
      const mallory = await register(freshName(), { displayName: 'Mallory' });
      expect((await client.put(`/api/users/me/blocks/${mallory.user.id}`, undefined, { token: alice.accessToken })).status).toBe(204);
      expect((await client.put(`/api/users/me/blocks/${mallory.user.id}`, undefined, { token: alice.accessToken })).status).toBe(204);
      await app.caughtUp();
      const blocked = await client.get<Profile[]>('/api/users/me/blocks', { token: alice.accessToken });
      expect(blocked.status).toBe(200);
      expect(blocked.body).toEqual([expect.objectContaining({ id: mallory.user.id, displayName: 'Mallory' })]);
      expect((await client.delete(`/api/users/me/blocks/${mallory.user.id}`, { token: alice.accessToken })).status).toBe(204);
      await app.caughtUp();
      expect((await client.get<Profile[]>('/api/users/me/blocks', { token: alice.accessToken })).body).toEqual([]);
    });

    it('answers 404 for an unknown user, 400 for oneself or an id that is not one', async () => {
      const alice = await register();
      expect((await client.put(`/api/users/me/blocks/${crypto.randomUUID()}`, undefined, { token: alice.accessToken })).status).toBe(404);
      const self = await client.put<ErrorBody>(`/api/users/me/blocks/${alice.user.id}`, undefined, { token: alice.accessToken });
      expect(self.status).toBe(400);
      expect(self.body.error.details?.reason).toBe('CANNOT_BLOCK_SELF');
      expect((await client.put('/api/users/me/blocks/not-an-id', undefined, { token: alice.accessToken })).status).toBe(400);
    });
  });

  describe('activity', () => {
    it('lists logins, failures, profile and password changes and logouts, newest first, page by page', async () => {
      const username = freshName();
      const signedIn = await register(username);
      await client.post('/api/auth/login', { username, password: 'wrong password' });
      const second = (await client.post<SignedIn>('/api/auth/login', { username, password })).body;
      await client.patch('/api/users/me', { bio: 'hello' }, { token: signedIn.accessToken });
      await client.put('/api/users/me/password', { currentPassword: password, newPassword: 'another password' }, { token: signedIn.accessToken });
      await app.caughtUp();
      const all = await client.get<{ at: string; kind: string; detail: Record<string, unknown>; cursor: string }[]>('/api/users/me/activity', { token: signedIn.accessToken });
      expect(all.status).toBe(200);
      expect(all.body.map((entry) => entry.kind)).toEqual(['session_revoked', 'password_changed', 'profile_updated', 'login_succeeded', 'login_failed', 'registered']);
      expect(all.body[0]!.detail).toMatchObject({ reason: 'password_changed' });
      const page = await client.get<{ kind: string }[]>(`/api/users/me/activity?before=${all.body[2]!.cursor}&limit=2`, { token: signedIn.accessToken });
      expect(page.body.map((entry) => entry.kind)).toEqual(['login_succeeded', 'login_failed']);
      expect((await client.get('/api/users/me/activity?limit=0', { token: signedIn.accessToken })).status).toBe(400);
      expect(second.accessToken).toBeDefined();
    });
  });

  describe('rate limits', () => {
    it('limits logins per address: 429 with Retry-After and the error body', async () => {
      const ip = someIp();
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 6; attempt++) statuses.push((await client.post('/api/auth/login', { username: freshName(), password }, { ip })).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      const limited = await client.post<ErrorBody>('/api/auth/login', { username: freshName(), password }, { ip });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
      expect((await client.post('/api/auth/login', { username: freshName(), password }, { ip: someIp() })).status).toBe(401);
    });

    it('blocks an account under attack for a short while, from every address, then lets its owner in', async () => {
      const username = freshName();
      await register(username);
      for (let attempt = 0; attempt < 3; attempt++) expect((await client.post('/api/auth/login', { username, password: 'guess' })).status).toBe(401);
      const blocked = await client.post('/api/auth/login', { username, password });
      expect(blocked.status).toBe(429);
      expect(blocked.headers.get('retry-after')).toMatch(/^[12]$/);
      await new Promise((resolve) => setTimeout(resolve, Number(blocked.headers.get('retry-after')) * 1000 + 100));
      expect((await client.post('/api/auth/login', { username, password })).status).toBe(200);
    });

    it('limits refreshes per address', async () => {
      const ip = someIp();
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 5; attempt++) statuses.push((await client.post('/api/auth/refresh', { refreshToken: 'x' }, { ip })).status);
      expect(statuses).toEqual([401, 401, 401, 401, 429]);
    });
  });

  describe('secrets', () => {
    it('never logs a password or a token, nor stores a password in an event', async () => {
      const secret = `secret-${uniqueSuffix()}`;
      const signedIn = (await client.post<SignedIn>('/api/auth/register', { username: freshName(), password: secret })).body;
      await client.post('/api/auth/login', { username: freshName(), password: secret });
      const logged = app.logs.text.join('');
      expect(logged).not.toContain(secret);
      expect(logged).not.toContain(signedIn.refreshToken);
      expect(logged).not.toContain(signedIn.accessToken);
      const events = await (await app.infrastructure.eventStore()).readStream(`user-${signedIn.user.id}`);
      expect(JSON.stringify(events)).not.toContain(secret);
      expect(JSON.stringify(events)).not.toContain(signedIn.refreshToken);
    });
  });

  it('declares every Identity endpoint in the OpenAPI document', async () => {
    const document = await client.get<{ paths: Record<string, Record<string, unknown>> }>('/api/docs-json');
    const operations = Object.entries(document.body.paths).flatMap(([route, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${route}`));
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /api/auth/register',
        'POST /api/auth/login',
        'POST /api/auth/refresh',
        'POST /api/auth/logout',
        'GET /api/auth/sessions',
        'DELETE /api/auth/sessions/{id}',
        'GET /api/auth/jwks',
        'GET /api/users/me',
        'PATCH /api/users/me',
        'PUT /api/users/me/password',
        'GET /api/users',
        'GET /api/users/{id}',
        'GET /api/users/me/activity',
        'PUT /api/users/me/blocks/{userId}',
        'DELETE /api/users/me/blocks/{userId}',
        'GET /api/users/me/blocks',
      ]),
    );
  });
});

describeIntegration('Identity over HTTP on MySQL', 'mysql', (mysqlUrl) => {
  describeIntegration('and Redis', 'redis', (redisUrl) => {
    let app: EmbeddedTestApp;
    let client: HttpClient;
    beforeAll(async () => {
      app = await startEmbeddedApp({ distributed: { mysqlUrl, redisUrl }, env: { TRUSTED_PROXY_HOPS: '1' } });
      client = new HttpClient(app.baseUrl);
    });
    afterAll(async () => {
      await app?.close();
    });

    identityScenarios(() => ({ app, client }));
  });
});
