// The HTTP half of the contract: one method per endpoint the client uses. Errors come back as
// `ApiError` with the contract's code and message, or status 0 when the network did not answer.
import type {
  AuthAnswer,
  ClientConfig,
  FieldViolation,
  Message,
  Profile,
  PublicProfile,
  RoomDetails,
  RoomListItem,
  RoomRole,
  SessionItem,
  Tokens,
} from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /**
   * Worth trying again with the same request: the network, the server being busy or restarting, or
   * an access token that expired (the session refreshes it on the 401; if it cannot, it signs out).
   */
  get retryable(): boolean {
    return this.status === 0 || this.status === 401 || this.status === 429 || this.status >= 500;
  }

  /** The server's per-field complaints (VALIDATION_FAILED details), if it gave them. */
  get violations(): FieldViolation[] {
    return Array.isArray(this.details) ? (this.details as FieldViolation[]).filter((item) => typeof item?.field === 'string') : [];
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

export interface HistoryPage {
  readonly before?: number;
  readonly after?: number;
  readonly limit?: number;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiClientOptions {
  /** Prefix of every path; '' for the page's own origin. */
  readonly baseUrl?: string;
  /** The current access token, if signed in. */
  readonly accessToken: () => string | undefined;
  /** Told when the server refused the token (401) on an authenticated call. */
  readonly onUnauthorized?: () => void;
  readonly fetch?: typeof fetch;
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  private async request<T>(method: Method, path: string, body?: unknown, authenticated = true): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const token = authenticated ? this.options.accessToken() : undefined;
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The server cannot be reached');
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      if (response.status === 401 && authenticated) this.options.onUnauthorized?.();
      throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? response.statusText, error?.details);
    }
    return parsed as T;
  }

  config = () => this.request<ClientConfig>('GET', '/api/config', undefined, false);

  register = (input: { username: string; password: string; displayName?: string }) => this.request<AuthAnswer>('POST', '/api/auth/register', input, false);
  login = (input: { username: string; password: string }) => this.request<AuthAnswer>('POST', '/api/auth/login', input, false);
  refresh = (refreshToken: string) => this.request<Tokens>('POST', '/api/auth/refresh', { refreshToken }, false);
  logout = () => this.request<void>('POST', '/api/auth/logout');
  sessions = () => this.request<SessionItem[]>('GET', '/api/auth/sessions');
  revokeSession = (id: string) => this.request<void>('DELETE', `/api/auth/sessions/${enc(id)}`);

  me = () => this.request<Profile>('GET', '/api/users/me');
  updateMe = (changes: { displayName?: string; bio?: string; statusText?: string }) => this.request<Profile>('PATCH', '/api/users/me', changes);
  changePassword = (currentPassword: string, newPassword: string) => this.request<void>('PUT', '/api/users/me/password', { currentPassword, newPassword });
  searchUsers = (query: string, limit = 20) => this.request<PublicProfile[]>('GET', `/api/users?query=${enc(query)}&limit=${limit}`);
  user = (id: string) => this.request<PublicProfile>('GET', `/api/users/${enc(id)}`);
  blocks = () => this.request<PublicProfile[]>('GET', '/api/users/me/blocks');
  block = (userId: string) => this.request<void>('PUT', `/api/users/me/blocks/${enc(userId)}`);
  unblock = (userId: string) => this.request<void>('DELETE', `/api/users/me/blocks/${enc(userId)}`);

  rooms = () => this.request<RoomListItem[]>('GET', '/api/rooms');
  room = (id: string) => this.request<RoomDetails>('GET', `/api/rooms/${enc(id)}`);
  createGroup = (input: { name: string; topic?: string; memberIds?: string[] }) => this.request<{ room: RoomDetails }>('POST', '/api/rooms', input);
  openDirect = (userId: string) => this.request<{ room: RoomDetails }>('POST', '/api/rooms/direct', { userId });
  updateRoom = (id: string, changes: { name?: string; topic?: string; announcement?: string }) => this.request<unknown>('PATCH', `/api/rooms/${enc(id)}`, changes);
  addMember = (id: string, userId: string) => this.request<void>('POST', `/api/rooms/${enc(id)}/members`, { userId });
  removeMember = (id: string, userId: string) => this.request<void>('DELETE', `/api/rooms/${enc(id)}/members/${enc(userId)}`);
  changeRole = (id: string, userId: string, role: RoomRole) => this.request<void>('PUT', `/api/rooms/${enc(id)}/members/${enc(userId)}/role`, { role });
  deleteRoom = (id: string) => this.request<void>('DELETE', `/api/rooms/${enc(id)}`);
  setMuted = (id: string, muted: boolean) => this.request<void>('PUT', `/api/rooms/${enc(id)}/settings/me`, { muted });

  history = (roomId: string, page: HistoryPage = {}) => {
    const query = new URLSearchParams();
    if (page.before !== undefined) query.set('before', String(page.before));
    if (page.after !== undefined) query.set('after', String(page.after));
    query.set('limit', String(page.limit ?? 50));
    return this.request<{ messages: Message[] }>('GET', `/api/rooms/${enc(roomId)}/messages?${query.toString()}`).then((answer) => answer.messages);
  };
  send = (roomId: string, input: { clientMessageId: string; text: string; replyTo?: string }) =>
    this.request<{ message: Message }>('POST', `/api/rooms/${enc(roomId)}/messages`, input).then((answer) => answer.message);
  clearHistory = (roomId: string, scope: 'me' | 'everyone') => this.request<void>('DELETE', `/api/rooms/${enc(roomId)}/messages?scope=${scope}`);
  edit = (roomId: string, messageId: string, text: string) => this.request<unknown>('PATCH', `/api/rooms/${enc(roomId)}/messages/${enc(messageId)}`, { text });
  deleteMessage = (roomId: string, messageId: string) => this.request<void>('DELETE', `/api/rooms/${enc(roomId)}/messages/${enc(messageId)}`);
  forward = (roomId: string, messageId: string, roomIds: string[]) =>
    this.request<{ messages: Message[] }>('POST', `/api/rooms/${enc(roomId)}/messages/${enc(messageId)}/forward`, { roomIds });
  react = (roomId: string, messageId: string, emoji: string) => this.request<void>('PUT', `/api/rooms/${enc(roomId)}/messages/${enc(messageId)}/reactions/${enc(emoji)}`);
  unreact = (roomId: string, messageId: string, emoji: string) => this.request<void>('DELETE', `/api/rooms/${enc(roomId)}/messages/${enc(messageId)}/reactions/${enc(emoji)}`);
  pin = (roomId: string, messageId: string) => this.request<void>('PUT', `/api/rooms/${enc(roomId)}/pins/${enc(messageId)}`);
  unpin = (roomId: string, messageId: string) => this.request<void>('DELETE', `/api/rooms/${enc(roomId)}/pins/${enc(messageId)}`);
  markRead = (roomId: string, seq: number) => this.request<void>('POST', `/api/rooms/${enc(roomId)}/read`, { seq });
}

const enc = encodeURIComponent;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
