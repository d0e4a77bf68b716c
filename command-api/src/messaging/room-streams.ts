// The write path of the room commands, as the note atop the domain's room.decider.ts lays it out: a
// room's commands run one at a time in this process (a lock per room), on the room's state folded from
// both of its streams and kept between commands; each command first folds what was appended since
// (by another process), decides, and appends to its one stream with the revision it folded. A conflict
// means another process wrote the room meanwhile: the kept state is dropped and the command decided
// again, a few times at most.
import { randomUUID } from 'node:crypto';
import {
  commandStream,
  decideRoom,
  type DomainError,
  evolveRoom,
  initialRoomState,
  isDomainError,
  roomMessagesStreamId,
  type RoomCommand,
  type RoomEvent,
  type RoomState,
  roomStreamId,
} from '@chat/domain';
import { ApiError, type EventMetadata, type EventStore, type EventToAppend, type RecordedEvent, WrongExpectedRevision } from '@chat/platform';
import { KeyedMutex } from './keyed-mutex';

/** What the answers need of a message beyond the domain's state: when it was sent and edited, what it replies to. */
export interface MessageFacts {
  readonly createdAt: string;
  readonly editedAt?: string;
  readonly replyTo?: string;
}

/** A room as this process last folded it. */
export interface FoldedRoom {
  readonly roomId: string;
  readonly state: RoomState;
  /** The revision of each stream's last event folded; undefined while the stream does not exist. */
  readonly roomRevision: number | undefined;
  readonly messagesRevision: number | undefined;
  /** By message id. Only ever read under the room's lock: later commands add to it. */
  readonly messageFacts: ReadonlyMap<string, MessageFacts>;
}

export interface RoomDecision<Answer> {
  /** The command, from the room's current state; what needs I/O (is the actor blocked?) is looked up here. */
  readonly command: (state: RoomState) => RoomCommand | Promise<RoomCommand>;
  readonly metadata: EventMetadata;
  /** The command's answer, taken under the lock from the room after the events (none for a repeat). */
  readonly answer: (room: FoldedRoom, events: readonly RoomEvent[]) => Answer;
}

export interface RoomStreamsOptions {
  /** Rooms whose state is kept between commands; the least recently used beyond it are folded again when next used. */
  readonly maxCachedRooms?: number;
  /** Decisions per command before answering 409. */
  readonly maxAttempts?: number;
}

export class RoomStreams {
  private readonly lock = new KeyedMutex();
  private readonly cache = new Map<string, FoldedRoom>();
  private readonly maxCachedRooms: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly eventStore: EventStore,
    options: RoomStreamsOptions = {},
  ) {
    this.maxCachedRooms = options.maxCachedRooms ?? 1000;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /** Decides the command on the room's current state and appends its events; a domain error is the answer. */
  decide<Answer>(roomId: string, decision: RoomDecision<Answer>): Promise<Answer | DomainError> {
    return this.lock.run(roomId, async () => {
      for (let attempt = 1; ; attempt++) {
        const room = await this.current(roomId);
        const command = await decision.command(room.state);
        const events = decideRoom(command, room.state);
        if (isDomainError(events)) return events;
        if (events.length === 0) return decision.answer(room, events);
        try {
          return decision.answer(await this.append(room, command, events, decision.metadata), events);
        } catch (error) {
          if (!(error instanceof WrongExpectedRevision)) throw error;
          this.cache.delete(roomId);
          if (attempt >= this.maxAttempts) throw ApiError.conflict('The room changed too often meanwhile; try again', { roomId });
        }
      }
    });
  }

  /** Looks at the room's current state under its lock, without deciding anything. */
  inspect<Answer>(roomId: string, look: (room: FoldedRoom) => Answer): Promise<Answer> {
    return this.lock.run(roomId, async () => look(await this.current(roomId)));
  }

  /** The kept state brought up to date with what both streams gained since it was folded. */
  private async current(roomId: string): Promise<FoldedRoom> {
    const kept = this.cache.get(roomId);
    const [roomEvents, messageEvents] = await Promise.all([
      this.eventStore.readStream(roomStreamId(roomId), { fromRevision: nextRevision(kept?.roomRevision) }),
      this.eventStore.readStream(roomMessagesStreamId(roomId), { fromRevision: nextRevision(kept?.messagesRevision) }),
    ]);
    let room: FoldedRoom = kept ?? { roomId, state: initialRoomState, roomRevision: undefined, messagesRevision: undefined, messageFacts: new Map() };
    if (roomEvents.length > 0 || messageEvents.length > 0) {
      room = foldRecorded(room, roomEvents, messageEvents);
    }
    this.keep(room);
    return room;
  }

  private async append(room: FoldedRoom, command: RoomCommand, events: readonly RoomEvent[], metadata: EventMetadata): Promise<FoldedRoom> {
    const onRoomStream = commandStream[command.type] === 'room';
    const streamId = onRoomStream ? roomStreamId(room.roomId) : roomMessagesStreamId(room.roomId);
    const revision = onRoomStream ? room.roomRevision : room.messagesRevision;
    const result = await this.eventStore.appendToStream(streamId, events.map((event) => toAppend(event, metadata)), { expectedRevision: revision ?? 'no_stream' });
    const after = foldDecided(room, events, onRoomStream ? { roomRevision: result.nextExpectedRevision } : { messagesRevision: result.nextExpectedRevision });
    // The store answers an append it had already stored (a send another process made first) with that
    // append's result: then the stream may hold more than this process knows, so it is folded again next time.
    if (result.nextExpectedRevision === (revision ?? -1) + events.length) this.keep(after);
    else this.cache.delete(room.roomId);
    return after;
  }

  private keep(room: FoldedRoom): void {
    this.cache.delete(room.roomId);
    this.cache.set(room.roomId, room);
    if (this.cache.size > this.maxCachedRooms) {
      const leastRecent = this.cache.keys().next().value;
      if (leastRecent !== undefined) this.cache.delete(leastRecent);
    }
  }
}

function nextRevision(revision: number | undefined): number {
  return revision === undefined ? 0 : revision + 1;
}

/** A sent message's event id is its message id, so the store recognises a re-sent append; other events get fresh ids. */
function toAppend(event: RoomEvent, metadata: EventMetadata): EventToAppend {
  return { id: event.type === 'MessageSent' ? event.data.messageId : randomUUID(), type: event.type, data: event.data, metadata };
}

function foldRecorded(room: FoldedRoom, roomEvents: readonly RecordedEvent[], messageEvents: readonly RecordedEvent[]): FoldedRoom {
  const asEvent = (recorded: RecordedEvent) => ({ type: recorded.type, data: recorded.data }) as RoomEvent;
  const folded = foldDecided(room, [...roomEvents.map(asEvent), ...messageEvents.map(asEvent)], {});
  return {
    ...folded,
    roomRevision: roomEvents.at(-1)?.revision ?? room.roomRevision,
    messagesRevision: messageEvents.at(-1)?.revision ?? room.messagesRevision,
  };
}

function foldDecided(room: FoldedRoom, events: readonly RoomEvent[], revisions: Partial<Pick<FoldedRoom, 'roomRevision' | 'messagesRevision'>>): FoldedRoom {
  const facts = room.messageFacts as Map<string, MessageFacts>;
  let state = room.state;
  for (const event of events) {
    state = evolveRoom(state, event);
    if (event.type === 'MessageSent') {
      const { messageId, at, replyTo } = event.data;
      facts.set(messageId, { createdAt: at, ...(replyTo ? { replyTo } : {}) });
    } else if (event.type === 'MessageEdited') {
      const sent = facts.get(event.data.messageId);
      if (sent) facts.set(event.data.messageId, { ...sent, editedAt: event.data.at });
    }
  }
  return { ...room, ...revisions, state, messageFacts: facts };
}
