// The signed-in client: the machines' actors wired to the API and to each other, and the data the
// screens show beside them (the room list, people, room details, who is typing). Pushed frames arrive
// through the connection machine and are handed to whatever they concern. Screens read it through
// `useChat()` (a version number that changes with every update) and the actors through `useSelector`.
import { createActor, fromPromise, type ActorRefFrom } from 'xstate';
import { ApiClient } from '../api/client';
import type { ClientConfig, LastMessage, Message, Profile, PublicProfile, RoomDetails, RoomListItem, ServerFrame } from '../api/types';
import { composerMachine, type Submission } from '../machines/composer.machine';
import { browserSocket, connectionMachine, type RoomCursors } from '../machines/connection.machine';
import { newClientMessageId, outboxMachine } from '../machines/outbox.machine';
import { contiguousEnd, roomMachine } from '../machines/room.machine';
import { FreshRead } from './fresh-read';

/** A typing state lasts this long without a renewal (the server's own timeout, and a little). */
const TYPING_SHOWN_MS = 6_000;

export type RoomActor = ActorRefFrom<typeof roomMachine>;

export class Chat {
  rooms: RoomListItem[] = [];
  roomsLoaded = false;
  roomsError?: string;
  readonly users = new Map<string, PublicProfile>();
  readonly details = new Map<string, RoomDetails>();
  /** roomId → userId → when the typing state lapses. */
  readonly typing = new Map<string, Map<string, number>>();
  /** The last problem with an action the user took, shown until dismissed. */
  notice?: string;
  openRoomId?: string;
  readonly roomActors = new Map<string, RoomActor>();
  readonly connection;
  readonly outbox;
  readonly composer;

  private version = 0;
  private readonly listeners = new Set<() => void>();
  private readonly userRequests = new Map<string, Promise<void>>();
  private readonly detailReads = new Map<string, FreshRead>();
  private readonly stopWatching: () => void;
  private typingTimer?: ReturnType<typeof setTimeout>;
  private readonly roomsRead = new FreshRead(() => this.readRooms());

  constructor(
    readonly api: ApiClient,
    readonly config: ClientConfig,
    public me: Profile,
    accessToken: () => string | undefined,
    onTokenRejected: () => void,
  ) {
    this.users.set(me.id, me);
    this.outbox = createActor(
      outboxMachine.provide({
        actors: { send: fromPromise(({ input }) => api.send(input.roomId, input)) },
        actions: { delivered: (_, message) => this.onStored(message) },
      }),
      { input: { online: navigator.onLine } },
    );
    this.composer = createActor(composerMachine, { input: { maxLength: config.limits.maxMessageLength } });
    this.connection = createActor(
      connectionMachine.provide({
        actors: { socket: browserSocket, resume: fromPromise(({ input }) => this.resume(input.cursors)) },
        actions: {
          deliver: (_, frame) => this.onFrame(frame),
          tokenRejected: () => onTokenRejected(),
          catchUpOverHttp: (_, cursors) => {
            for (const roomId of Object.keys(cursors)) this.roomActors.get(roomId)?.send({ type: 'RESUME' });
          },
        },
      }),
      { input: { url: config.wsUrl, accessToken, cursors: () => this.heldCursors(), online: navigator.onLine } },
    );
    this.composer.on('typing', ({ roomId, state }) => this.connection.send({ type: 'SEND', frame: { type: 'typing', roomId, state } }));
    this.composer.on('submitted', ({ submission }) => this.submit(submission));
    this.outbox.subscribe(() => this.changed());

    const offline = () => {
      this.connection.send({ type: 'WENT_OFFLINE' });
      this.outbox.send({ type: 'WENT_OFFLINE' });
    };
    const online = () => {
      this.connection.send({ type: 'WENT_ONLINE' });
      this.outbox.send({ type: 'WENT_ONLINE' });
    };
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    this.stopWatching = () => {
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
    };
  }

  start(): void {
    this.outbox.start();
    this.composer.start();
    this.connection.start();
    void this.loadRooms();
  }

  stop(): void {
    this.stopWatching();
    clearTimeout(this.typingTimer);
    for (const [roomId, actor] of this.roomActors) this.leaveRoomActor(roomId, actor);
    this.connection.stop();
    this.outbox.stop();
    this.composer.stop();
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  getVersion = () => this.version;

  private changed(): void {
    this.version += 1;
    for (const listener of this.listeners) listener();
  }

  // ---- people and rooms

  userName(userId: string): string {
    if (userId === this.me.id) return this.me.displayName;
    const user = this.users.get(userId);
    if (!user) void this.loadUser(userId);
    return user?.displayName ?? '…';
  }

  user(userId: string): PublicProfile | undefined {
    const user = this.users.get(userId);
    if (!user) void this.loadUser(userId);
    return user;
  }

  /** People as a search found them: the freshest word on them until a presence frame says otherwise. */
  notePeople(people: readonly PublicProfile[]): void {
    for (const person of people) if (person.id !== this.me.id) this.users.set(person.id, person);
    this.changed();
  }

  private loadUser(userId: string, fresh = false): Promise<void> {
    const pending = this.userRequests.get(userId);
    if (pending && !fresh) return pending;
    const request = this.api
      .user(userId)
      .then((user) => {
        this.users.set(userId, user);
        this.changed();
      })
      .catch(() => undefined);
    this.userRequests.set(userId, request);
    return request;
  }

  room(roomId: string): RoomListItem | undefined {
    return this.rooms.find((room) => room.id === roomId);
  }

  /** Reads the room list again (see FreshRead: asked while a read is on its way, it reads once more after it). */
  loadRooms(): Promise<void> {
    return this.roomsRead.run();
  }

  private readRooms(): Promise<void> {
    return this.api
      .rooms()
      .then((rooms) => {
        this.rooms = rooms;
        this.roomsLoaded = true;
        this.roomsError = undefined;
        for (const room of rooms) if (room.peerId) void this.loadUser(room.peerId);
      })
      .catch((error: unknown) => {
        this.roomsError = error instanceof Error ? error.message : 'The rooms could not be loaded';
        throw error;
      })
      .finally(() => this.changed());
  }

  roomDetails(roomId: string): RoomDetails | undefined {
    const details = this.details.get(roomId);
    if (!details) void this.loadDetails(roomId);
    return details;
  }

  /** Reads a room's details again (as `loadRooms`, once more when asked while a read is on its way). */
  loadDetails(roomId: string): Promise<void> {
    let read = this.detailReads.get(roomId);
    if (!read) {
      read = new FreshRead(() =>
        this.api
          .room(roomId)
          .then((details) => {
            this.details.set(roomId, details);
            for (const member of details.members) void this.loadUser(member.userId);
            this.changed();
          })
          .catch(() => undefined),
      );
      this.detailReads.set(roomId, read);
    }
    return read.run();
  }

  private patchRoom(roomId: string, change: (room: RoomListItem) => RoomListItem): void {
    this.rooms = this.rooms.map((room) => (room.id === roomId ? change(room) : room));
  }

  private sortRooms(): void {
    const activity = (room: RoomListItem) => room.lastMessage?.createdAt ?? room.lastActivityAt ?? '';
    this.rooms = [...this.rooms].sort((a, b) => activity(b).localeCompare(activity(a)));
  }

  // ---- the open room

  /** The room the reader is looking at: its machine (created on first look, dropped when another opens). */
  openRoom(roomId: string): RoomActor | undefined {
    if (this.openRoomId !== roomId) {
      for (const [id, actor] of this.roomActors) {
        if (id !== roomId) {
          this.leaveRoomActor(id, actor);
        }
      }
      this.openRoomId = roomId;
      this.composer.send({ type: 'OPEN_ROOM', roomId });
    }
    const existing = this.roomActors.get(roomId);
    if (existing) return existing;
    const listed = this.room(roomId);
    // Known once the room list is: the machine needs the reader's marker.
    if (!listed) return undefined;
    const actor = createActor(
      roomMachine.provide({
        actors: {
          fetchPage: fromPromise(({ input }) => this.api.history(input.roomId, input.page)),
          markRead: fromPromise(async ({ input }) => {
            await this.api.markRead(input.roomId, input.seq);
            this.patchRoom(input.roomId, (room) => (input.seq >= room.lastSeq ? { ...room, unreadCount: 0, lastReadSeq: input.seq } : room));
            this.changed();
          }),
        },
      }),
      { input: { roomId, lastReadSeq: listed.lastReadSeq, readerId: this.me.id } },
    );
    this.roomActors.set(roomId, actor);
    actor.start();
    this.changed();
    return actor;
  }

  /** Stops a room's machine; what the reader saw but the debounce has not yet reported is marked read now. */
  private leaveRoomActor(roomId: string, actor: RoomActor): void {
    const { readSeq, markedSeq } = actor.getSnapshot().context;
    actor.stop();
    this.roomActors.delete(roomId);
    if (readSeq <= markedSeq) return;
    void this.api
      .markRead(roomId, readSeq)
      .then(() => {
        this.patchRoom(roomId, (room) => (readSeq >= room.lastSeq ? { ...room, unreadCount: 0, lastReadSeq: readSeq } : room));
        this.changed();
      })
      .catch(() => undefined);
  }

  /** Mutes or unmutes the room for the reader: shown at once, undone if the server refuses. */
  async setMuted(roomId: string, muted: boolean): Promise<void> {
    this.patchRoom(roomId, (room) => ({ ...room, muted }));
    this.changed();
    const done = await this.act(this.api.setMuted(roomId, muted).then(() => true));
    if (!done) {
      this.patchRoom(roomId, (room) => ({ ...room, muted: !muted }));
      this.changed();
    }
  }

  /** Clears the room's history for the reader, or for everyone: what is held goes at once, the server's frame confirms it. */
  async clearHistory(roomId: string, scope: 'me' | 'everyone'): Promise<boolean> {
    const done = await this.act(this.api.clearHistory(roomId, scope).then(() => true));
    if (!done) return false;
    const actor = this.roomActors.get(roomId);
    const upToSeq = actor?.getSnapshot().context.messages.at(-1)?.seq;
    // As the server's frame will: the held messages, the outbox's sent ones and the room list's preview go.
    if (upToSeq !== undefined) this.onFrame({ type: 'history.cleared', roomId, data: { scope, upToSeq } });
    else void this.loadRooms().catch(() => undefined);
    return true;
  }

  /** Renames the room or changes its topic or announcement; the room's `room.updated` frame shows it everywhere. */
  async updateRoom(roomId: string, changes: { name?: string; topic?: string; announcement?: string }): Promise<boolean> {
    const done = await this.act(this.api.updateRoom(roomId, changes).then(() => true));
    if (done) void this.loadDetails(roomId);
    return done === true;
  }

  /** Hands the room's ownership to another member; the reader becomes an admin. */
  async transferOwnership(roomId: string, userId: string): Promise<boolean> {
    const done = await this.act(this.api.changeRole(roomId, userId, 'owner').then(() => true));
    if (done) {
      this.patchRoom(roomId, (room) => ({ ...room, role: 'admin' }));
      void this.loadDetails(roomId);
      this.changed();
    }
    return done === true;
  }

  /** Leaves a group, or, for its owner, deletes it: either way it leaves the reader's list. */
  async leaveRoom(roomId: string, how: 'leave' | 'delete'): Promise<boolean> {
    const done = await this.act((how === 'delete' ? this.api.deleteRoom(roomId) : this.api.removeMember(roomId, this.me.id)).then(() => true));
    if (!done) return false;
    this.rooms = this.rooms.filter((room) => room.id !== roomId);
    this.details.delete(roomId);
    this.changed();
    return true;
  }

  /** The reader left the room's page (its machine stays until another room opens). */
  closeRoom(roomId: string): void {
    if (this.openRoomId === roomId) this.openRoomId = undefined;
  }

  // ---- writing

  private submit({ roomId, text, mode }: Submission): void {
    if (mode.kind === 'edit') {
      this.act(this.api.edit(roomId, mode.message.id, text));
      return;
    }
    this.outbox.send({ type: 'ENQUEUE', clientMessageId: newClientMessageId(), roomId, text, ...(mode.kind === 'reply' ? { replyTo: mode.message.id } : {}) });
  }

  /** Runs an action the user took; a refusal becomes the notice. */
  act<T>(work: Promise<T>): Promise<T | undefined> {
    return work.catch((error: unknown) => {
      this.notice = error instanceof Error ? error.message : 'That did not work';
      this.changed();
      return undefined;
    });
  }

  dismissNotice(): void {
    this.notice = undefined;
    this.changed();
  }

  private onStored(message: Message): void {
    this.roomActors.get(message.roomId)?.send({ type: 'MESSAGE_STORED', message });
    this.noteLastMessage(message);
    this.changed();
  }

  private noteLastMessage(message: Message): void {
    const room = this.room(message.roomId);
    if (!room || message.seq < (room.lastMessage?.seq ?? 0)) return;
    const lastMessage: LastMessage = { id: message.id, seq: message.seq, authorId: message.authorId, text: message.text.slice(0, 200), createdAt: message.createdAt, edited: false, deleted: false };
    this.patchRoom(message.roomId, (listed) => ({ ...listed, lastMessage, lastSeq: Math.max(listed.lastSeq, message.seq) }));
    this.sortRooms();
  }

  // ---- what the server pushes

  /**
   * Where the server is to resume each room held here from: the end of its contiguous messages. A room
   * still loading its first page is left out; that page brings it up to date.
   */
  private heldCursors(): RoomCursors {
    const cursors: Record<string, number> = {};
    for (const [roomId, actor] of this.roomActors) {
      const snapshot = actor.getSnapshot();
      if (snapshot.matches('ready')) cursors[roomId] = contiguousEnd(snapshot.context.messages);
    }
    return cursors;
  }

  /** After (re)connecting, reloads what frames do not bring back; the rooms the server resumes are not read again. */
  private async resume(resumedByServer: RoomCursors): Promise<void> {
    await this.loadRooms();
    // Presence may have changed while away: the people shown with theirs (direct rooms, members of the rooms whose details are held) are read again.
    const shown = new Set<string>();
    for (const room of this.rooms) if (room.peerId) shown.add(room.peerId);
    for (const details of this.details.values()) for (const member of details.members) shown.add(member.userId);
    shown.delete(this.me.id);
    for (const userId of shown) void this.loadUser(userId, true);
    for (const [roomId, actor] of this.roomActors) if (!(roomId in resumedByServer)) actor.send({ type: 'RESUME' });
    for (const roomId of this.details.keys()) void this.loadDetails(roomId);
  }

  /** The new access token, for the live connection to renew itself with. */
  tokenRenewed(): void {
    this.connection.send({ type: 'TOKEN_RENEWED' });
  }

  private onFrame(frame: ServerFrame): void {
    const { roomId } = frame;
    const data = (frame.data ?? {}) as Record<string, unknown>;
    const actor = roomId ? this.roomActors.get(roomId) : undefined;
    switch (frame.type) {
      case 'message.created': {
        actor?.send({ type: 'FRAME', frame });
        const message = data as unknown as Message;
        const room = roomId ? this.room(roomId) : undefined;
        if (!room) {
          void this.loadRooms().catch(() => undefined);
          break;
        }
        const counts = message.authorId !== this.me.id && message.seq > room.lastReadSeq && !(roomId === this.openRoomId && document.visibilityState === 'visible');
        this.noteLastMessage(message);
        if (counts) this.patchRoom(room.id, (listed) => ({ ...listed, unreadCount: listed.unreadCount + 1 }));
        this.setTyping(room.id, message.authorId, 'stop');
        break;
      }
      case 'message.updated':
      case 'message.deleted':
        actor?.send({ type: 'FRAME', frame });
        if (roomId) {
          this.patchRoom(roomId, (room) => {
            const last = room.lastMessage;
            if (!last || last.id !== data.id) return room;
            const changed: LastMessage = frame.type === 'message.deleted' ? { ...last, deleted: true, text: '' } : { ...last, edited: true, text: String(data.text ?? '') };
            return { ...room, lastMessage: changed };
          });
        }
        break;
      case 'reaction.updated':
      case 'history.cleared':
        actor?.send({ type: 'FRAME', frame });
        if (frame.type === 'history.cleared') {
          if (roomId) this.outbox.send({ type: 'HISTORY_CLEARED', roomId, upToSeq: Number(data.upToSeq ?? 0) });
          void this.loadRooms().catch(() => undefined);
        }
        break;
      case 'unread.updated':
        if (roomId) this.patchRoom(roomId, (room) => ({ ...room, unreadCount: Number(data.unreadCount ?? room.unreadCount), lastReadSeq: Number(data.lastReadSeq ?? room.lastReadSeq) }));
        break;
      case 'room.created':
        void this.loadRooms().catch(() => undefined);
        break;
      case 'member.joined':
      case 'member.left':
      case 'member.role':
        if (data.userId === this.me.id) {
          if (frame.type === 'member.left' && roomId) {
            this.rooms = this.rooms.filter((room) => room.id !== roomId);
            this.details.delete(roomId);
          } else void this.loadRooms().catch(() => undefined);
        }
        if (roomId && this.details.has(roomId)) void this.loadDetails(roomId);
        break;
      case 'room.updated':
        if (roomId) {
          const { name, topic, muted, announcement } = data as { name?: string; topic?: string; muted?: boolean; announcement?: string };
          this.patchRoom(roomId, (room) => ({ ...room, ...(name !== undefined ? { name } : {}), ...(topic !== undefined ? { topic } : {}), ...(muted !== undefined ? { muted } : {}) }));
          const details = this.details.get(roomId);
          if (details) {
            this.details.set(roomId, { ...details, ...(name !== undefined ? { name } : {}), ...(topic !== undefined ? { topic } : {}), ...(announcement !== undefined ? { announcement } : {}) });
          }
        }
        break;
      case 'room.deleted':
        if (roomId) {
          this.rooms = this.rooms.filter((room) => room.id !== roomId);
          this.details.delete(roomId);
        }
        break;
      case 'pin.updated': {
        const details = roomId ? this.details.get(roomId) : undefined;
        if (roomId && details && Array.isArray(data.pinnedIds)) this.details.set(roomId, { ...details, pinned: data.pinnedIds as string[] });
        break;
      }
      case 'typing':
        if (roomId && typeof data.userId === 'string') this.setTyping(roomId, data.userId, data.state === 'start' ? 'start' : 'stop');
        break;
      case 'resync': {
        // The server could not bring the room up to date by frames: read it again over HTTP.
        void this.loadRooms().catch(() => undefined);
        if (roomId && this.details.has(roomId)) void this.loadDetails(roomId);
        // Its history could not be read: the gap is filled from the held messages on. Too far behind: the latest page.
        if (data.reason === 'unavailable') actor?.send({ type: 'RESUME' });
        else if (data.reason === 'too-far-behind') actor?.send({ type: 'RELOAD' });
        break;
      }
      case 'presence': {
        const userId = typeof data.userId === 'string' ? data.userId : undefined;
        const user = userId ? this.users.get(userId) : undefined;
        // Online, the frame's time is when they came online: last seen stays as it was until they leave.
        const online = data.online === true;
        const lastSeenAt = !online && typeof data.lastSeenAt === 'string' ? data.lastSeenAt : user?.lastSeenAt;
        if (userId && user) this.users.set(userId, { ...user, online, lastSeenAt: lastSeenAt ?? null });
        break;
      }
      default:
        return;
    }
    this.changed();
  }

  private setTyping(roomId: string, userId: string, state: 'start' | 'stop'): void {
    const inRoom = this.typing.get(roomId) ?? new Map<string, number>();
    if (state === 'start') inRoom.set(userId, Date.now() + TYPING_SHOWN_MS);
    else inRoom.delete(userId);
    this.typing.set(roomId, inRoom);
    this.scheduleTypingExpiry();
  }

  private scheduleTypingExpiry(): void {
    clearTimeout(this.typingTimer);
    const deadlines = [...this.typing.values()].flatMap((inRoom) => [...inRoom.values()]);
    if (deadlines.length === 0) return;
    this.typingTimer = setTimeout(() => {
      const now = Date.now();
      for (const inRoom of this.typing.values()) for (const [userId, until] of inRoom) if (until <= now) inRoom.delete(userId);
      this.changed();
      this.scheduleTypingExpiry();
    }, Math.max(50, Math.min(...deadlines) - Date.now()));
  }

  typists(roomId: string): string[] {
    const now = Date.now();
    return [...(this.typing.get(roomId) ?? new Map<string, number>())].filter(([, until]) => until > now).map(([userId]) => userId);
  }
}
