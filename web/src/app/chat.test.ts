// The client's glue between the realtime connection and the rooms, against a fake WebSocket and API:
// what a reconnect sends, and what the server's resume, resync and presence frames do.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiClient, HistoryPage } from '../api/client';
import type { ClientConfig, Message, Profile, PublicProfile, RoomListItem } from '../api/types';
import { Chat } from './chat';

class FakeSocket {
  static readonly OPEN = 1;
  static opened: FakeSocket[] = [];
  readyState = 0;
  readonly sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }

  send(text: string) {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }

  close() {
    this.readyState = 3;
  }

  open() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }

  push(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006 });
  }
}

const message = (seq: number): Message => ({
  id: `m${seq}`,
  roomId: 'r1',
  seq,
  authorId: 'bob',
  text: `text ${seq}`,
  createdAt: '2026-11-26T10:00:00.000Z',
  deleted: false,
  reactions: {},
  attachments: [],
});

const me: Profile = { id: 'me', username: 'me', displayName: 'Me', avatarUrl: null, online: true, lastSeenAt: null, bio: '', statusText: '' };
const bob: PublicProfile = { id: 'bob', username: 'bob', displayName: 'Bob', avatarUrl: null, online: true, lastSeenAt: '2026-11-25T08:00:00.000Z' };
const room: RoomListItem = { id: 'r1', kind: 'direct', name: '', topic: '', peerId: 'bob', lastMessage: null, lastSeq: 3, unreadCount: 0, lastReadSeq: 3, muted: false, role: 'member' };
const config: ClientConfig = { wsUrl: 'ws://chat.test/ws', limits: { maxMessageLength: 4000, maxUploadBytes: 1, allowedUploadTypes: [] } };

function start() {
  let last = 3;
  const pages: HistoryPage[] = [];
  const api = {
    rooms: async () => [room],
    user: async () => bob,
    room: async () => ({ id: 'r1', kind: 'direct', name: '', topic: '', announcement: '', createdAt: '', members: [], pinned: [] }),
    markRead: async () => undefined,
    history: async (_roomId: string, page: HistoryPage) => {
      pages.push(page);
      const all = Array.from({ length: last }, (_, index) => message(index + 1));
      if (page.after !== undefined) return all.filter((m) => m.seq > page.after!).slice(0, page.limit);
      return all.slice(-(page.limit ?? 50));
    },
  } as unknown as ApiClient;
  const chat = new Chat(api, config, me, () => 'token', () => undefined);
  chat.start();
  return { chat, pages, grow: (to: number) => (last = to) };
}

const flush = () => vi.advanceTimersByTimeAsync(0);
const held = (chat: Chat) => chat.roomActors.get('r1')!.getSnapshot().context.messages.map((m) => m.seq);

describe('chat: the connection and the rooms', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.opened = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    vi.stubGlobal('window', { addEventListener: () => undefined, removeEventListener: () => undefined });
    vi.stubGlobal('navigator', { onLine: true });
    vi.stubGlobal('document', { visibilityState: 'visible' });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  /**
   * Opens the room, and gets the first connection live. Nothing was held when its socket was made (no
   * cursors), so the room, opened meanwhile, fills its gap over HTTP once.
   */
  async function live() {
    const started = start();
    await flush();
    started.chat.openRoom('r1');
    await flush();
    const first = FakeSocket.opened[0]!;
    first.open();
    expect(first.sent).toEqual([{ type: 'auth', token: 'token' }]);
    first.push({ type: 'authenticated', data: { userId: 'me' } });
    await flush();
    expect(started.chat.connection.getSnapshot().matches({ open: 'live' })).toBe(true);
    return started;
  }

  /** Drops the connection and opens the next one, which authenticates. */
  async function reconnect() {
    FakeSocket.opened.at(-1)!.drop();
    await vi.advanceTimersByTimeAsync(1_000);
    const next = FakeSocket.opened.at(-1)!;
    next.open();
    next.push({ type: 'authenticated', data: { userId: 'me' } });
    await flush();
    return next;
  }

  it('reads the room list once more when a room is created while a read of it is on its way', async () => {
    const team: RoomListItem = { ...room, id: 'r2', kind: 'group', name: 'Team', peerId: undefined };
    const reads: ((rooms: RoomListItem[]) => void)[] = [];
    const api = {
      rooms: () => new Promise<RoomListItem[]>((resolve) => reads.push(resolve)),
      user: async () => bob,
    } as unknown as ApiClient;
    const chat = new Chat(api, config, me, () => 'token', () => undefined);
    const first = chat.loadRooms();
    // The room was created after the server read the list for the first request: its frame asks again.
    const again = chat.loadRooms();
    expect(reads).toHaveLength(1);
    reads[0]!([room]);
    await first;
    await flush();
    expect(reads).toHaveLength(2);
    reads[1]!([room, team]);
    await again;
    expect(chat.room('r2')?.name).toBe('Team');
  });

  it('resumes a held room through the server from its last seq, reading no gap over HTTP', async () => {
    const { chat, pages, grow } = await live();
    expect(held(chat)).toEqual([1, 2, 3]);
    const readBefore = pages.length;
    grow(5);
    const socket = await reconnect();
    expect(socket.sent[0]).toEqual({ type: 'auth', token: 'token', cursors: { r1: 3 } });
    expect(chat.connection.getSnapshot().matches({ open: 'resuming' })).toBe(true);
    for (const seq of [4, 5]) socket.push({ type: 'message.created', roomId: 'r1', seq, data: message(seq) });
    socket.push({ type: 'resumed', data: { rooms: ['r1'] } });
    await flush();
    expect(held(chat)).toEqual([1, 2, 3, 4, 5]);
    expect(chat.connection.getSnapshot().matches({ open: 'live' })).toBe(true);
    expect(pages).toHaveLength(readBefore);
  });

  it('reloads the latest page of a room resynced as too far behind, and fills the gap of one whose history was unavailable', async () => {
    const { chat, pages, grow } = await live();
    grow(300);
    const socket = await reconnect();
    socket.push({ type: 'resync', roomId: 'r1', data: { reason: 'too-far-behind' } });
    socket.push({ type: 'resumed', data: { rooms: ['r1'] } });
    await flush();
    expect(pages.at(-1)).toEqual({ limit: 50 });
    expect(held(chat)[0]).toBe(251);
    expect(held(chat).at(-1)).toBe(300);

    grow(302);
    const again = await reconnect();
    expect(again.sent[0]).toMatchObject({ cursors: { r1: 300 } });
    again.push({ type: 'resync', roomId: 'r1', data: { reason: 'unavailable' } });
    again.push({ type: 'resumed', data: { rooms: ['r1'] } });
    await flush();
    expect(pages.at(-1)).toEqual({ after: 300, limit: 100 });
    expect(held(chat).at(-1)).toBe(302);
  });

  it('shows presence as the server pushes it: offline with the time last seen, online keeping it', async () => {
    const { chat } = await live();
    const socket = FakeSocket.opened[0]!;
    expect(chat.users.get('bob')).toMatchObject({ online: true });
    socket.push({ type: 'presence', data: { userId: 'bob', online: false, lastSeenAt: '2026-11-26T10:05:00.000Z' } });
    expect(chat.users.get('bob')).toMatchObject({ online: false, lastSeenAt: '2026-11-26T10:05:00.000Z' });
    socket.push({ type: 'presence', data: { userId: 'bob', online: true, lastSeenAt: '2026-11-26T10:07:00.000Z' } });
    expect(chat.users.get('bob')).toMatchObject({ online: true, lastSeenAt: '2026-11-26T10:05:00.000Z' });
    // Someone the client never showed: not worth a profile of their own.
    socket.push({ type: 'presence', data: { userId: 'carol', online: true, lastSeenAt: '2026-11-26T10:07:00.000Z' } });
    expect(chat.users.has('carol')).toBe(false);
  });
});
