// The write path of the room commands, as the note atop the domain's room.decider.ts lays it out: a
// room's commands run one at a time in this process, on the room's state folded from both of its
// streams and kept between commands; each turn first folds what was appended since (by another
// process), decides, and appends to the command's one stream with the revision it folded. A conflict
// means another process wrote the room meanwhile: the kept state is dropped and the commands not yet
// appended are decided again, a few times at most.
//
// The lock is a queue per room with one runner. When the runner takes its turn it takes every command
// waiting (group commit): each is decided on the state the previous ones left, and consecutive events
// for one stream are appended together, once, and the appends of all rooms' turns in one turn of the
// event loop go to the store together (batched-appends.ts). A busy room then pays one catch-up read and one append
// per turn rather than per command, and the projectors wake once per batch. The catch-up read is
// skipped when the store can vouch that neither stream moved (the embedded store knows what its own
// connection wrote and whether any other did). Nothing is answered before
// the append it depends on is durable; a command that fails leaves the others of its turn unharmed.
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
import { ApiError, type EventMetadata, type EventStore, type EventToAppend, LruMap, type RecordedEvent, WrongExpectedRevision } from '@chat/platform';
import { BatchedAppends } from './batched-appends';

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
  /** By message id. Only ever read during the room's turn: later commands add to it. */
  readonly messageFacts: ReadonlyMap<string, MessageFacts>;
}

export interface RoomDecision<Answer> {
  /** The command, from the room's current state; what needs I/O (is the actor blocked?) is looked up here. */
  readonly command: (state: RoomState) => RoomCommand | Promise<RoomCommand>;
  readonly metadata: EventMetadata;
  /** The command's answer, from the room right after its events (none for a repeat). */
  readonly answer: (room: FoldedRoom, events: readonly RoomEvent[]) => Answer;
}

export interface RoomStreamsOptions {
  /** Rooms whose state is kept between commands; the least recently used beyond it are folded again when next used. */
  readonly maxCachedRooms?: number;
  /** Turns per command before answering 409. */
  readonly maxAttempts?: number;
  /** Commands taken in one turn at most. */
  readonly maxBatch?: number;
}

interface Waiting {
  /** A decision, or a look at the durable state (`inspect`). */
  readonly decision?: RoomDecision<unknown>;
  readonly look?: (room: FoldedRoom) => unknown;
  resolve(outcome: unknown): void;
  reject(error: unknown): void;
}

type Stream = 'room' | 'messages';

/** Decided commands whose events wait to be appended together, and their answers meanwhile. */
interface PendingAppend {
  stream?: Stream;
  readonly events: EventToAppend[];
  readonly decided: { readonly waiting: Waiting; readonly outcome: unknown }[];
}

export class RoomStreams {
  private readonly queues = new Map<string, Waiting[]>();
  private readonly cache: LruMap<string, FoldedRoom>;
  private readonly appends: BatchedAppends;
  private readonly maxAttempts: number;
  private readonly maxBatch: number;

  constructor(
    private readonly eventStore: EventStore,
    options: RoomStreamsOptions = {},
  ) {
    this.cache = new LruMap(options.maxCachedRooms ?? 1000);
    this.appends = new BatchedAppends(eventStore);
    this.maxAttempts = options.maxAttempts ?? 5;
    this.maxBatch = options.maxBatch ?? 200;
  }

  /** Decides the command on the room's current state and appends its events; a domain error is the answer. */
  decide<Answer>(roomId: string, decision: RoomDecision<Answer>): Promise<Answer | DomainError> {
    return this.enqueue(roomId, { decision }) as Promise<Answer | DomainError>;
  }

  /** Looks at the room's current, durable state in its turn, without deciding anything. */
  inspect<Answer>(roomId: string, look: (room: FoldedRoom) => Answer): Promise<Answer> {
    return this.enqueue(roomId, { look }) as Promise<Answer>;
  }

  private enqueue(roomId: string, work: Pick<Waiting, 'decision' | 'look'>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const waiting: Waiting = { ...work, resolve, reject };
      const queue = this.queues.get(roomId);
      if (queue) {
        queue.push(waiting);
        return;
      }
      this.queues.set(roomId, [waiting]);
      void this.runTurns(roomId);
    });
  }

  private async runTurns(roomId: string): Promise<void> {
    const queue = this.queues.get(roomId)!;
    try {
      while (queue.length > 0) {
        // With the embedded store a turn runs without waiting on I/O, so requests that arrived
        // meanwhile are still unread: let the event loop take them in first, so they join this turn.
        await new Promise((resolve) => setImmediate(resolve));
        const turn = queue.splice(0, this.maxBatch);
        try {
          await this.turn(roomId, turn);
        } catch (error) {
          // A failure of the store: the kept state may hold events that were never appended.
          this.cache.delete(roomId);
          for (const waiting of turn) waiting.reject(error);
        }
      }
    } finally {
      this.queues.delete(roomId);
    }
  }

  private async turn(roomId: string, turn: readonly Waiting[]): Promise<void> {
    let remaining = turn;
    for (let attempt = 1; remaining.length > 0; attempt++) {
      try {
        remaining = await this.decideInOrder(roomId, remaining);
      } catch (error) {
        if (!(error instanceof ConflictAt)) throw error;
        this.cache.delete(roomId);
        remaining = remaining.slice(error.firstUnsettled);
        if (attempt >= this.maxAttempts) {
          const conflict = ApiError.conflict('The room changed too often meanwhile; try again', { roomId });
          for (const waiting of remaining) waiting.reject(conflict);
          return;
        }
      }
    }
  }

  /** Decides and appends `turn` in order; a conflict throws ConflictAt with the first command not answered. */
  private async decideInOrder(roomId: string, turn: readonly Waiting[]): Promise<Waiting[]> {
    let room = await this.current(roomId);
    let pending: PendingAppend = { events: [], decided: [] };
    let firstUnsettled = 0;
    const appendPending = async () => {
      room = await this.append(room, pending, firstUnsettled);
      firstUnsettled += pending.decided.length;
      pending = { events: [], decided: [] };
    };

    for (const waiting of turn) {
      if (waiting.look) {
        await appendPending();
        firstUnsettled += 1;
        settle(waiting, () => waiting.look!(room));
        continue;
      }
      const decision = waiting.decision!;
      let command: RoomCommand;
      try {
        command = await decision.command(room.state);
      } catch (error) {
        // Its own failure, not the room's: answered with the others, it takes no part in the append.
        pending.decided.push({ waiting, outcome: new Failed(error) });
        continue;
      }
      const events = decideRoom(command, room.state);
      if (isDomainError(events) || events.length === 0) {
        const outcome = isDomainError(events) ? events : answerOf(decision, room, events);
        pending.decided.push({ waiting, outcome });
        continue;
      }
      const stream = commandStream[command.type];
      if (pending.stream !== undefined && pending.stream !== stream) await appendPending();
      pending.stream = stream;
      room = foldDecided(room, events, {});
      pending.events.push(...events.map((event) => toAppend(event, decision.metadata)));
      pending.decided.push({ waiting, outcome: answerOf(decision, room, events) });
    }
    await appendPending();
    return [];
  }

  /** Appends what is pending (if anything) and answers its commands; the room after it, now durable. */
  private async append(room: FoldedRoom, pending: PendingAppend, firstUnsettled: number): Promise<FoldedRoom> {
    let durable = room;
    if (pending.stream !== undefined && pending.events.length > 0) {
      const onRoomStream = pending.stream === 'room';
      const streamId = onRoomStream ? roomStreamId(room.roomId) : roomMessagesStreamId(room.roomId);
      const revision = onRoomStream ? room.roomRevision : room.messagesRevision;
      let result;
      try {
        result = await this.appends.append(streamId, pending.events, revision ?? 'no_stream');
      } catch (error) {
        if (error instanceof WrongExpectedRevision) throw new ConflictAt(firstUnsettled);
        throw error;
      }
      durable = { ...room, ...(onRoomStream ? { roomRevision: result.nextExpectedRevision } : { messagesRevision: result.nextExpectedRevision }) };
      // The store answers an append it had already stored (sends another process made first) with that
      // append's result: then the stream may hold more than this process knows, so it is folded again next time.
      if (result.nextExpectedRevision === (revision ?? -1) + pending.events.length) this.cache.set(durable.roomId, durable);
      else this.cache.delete(room.roomId);
    }
    for (const { waiting, outcome } of pending.decided) {
      if (outcome instanceof Failed) waiting.reject(outcome.error);
      else waiting.resolve(outcome);
    }
    return durable;
  }

  /** The kept state brought up to date with what both streams gained since it was folded. */
  private async current(roomId: string): Promise<FoldedRoom> {
    const kept = this.cache.get(roomId);
    // Nothing to read when the store vouches that both streams are where the kept state has them.
    if (kept && this.knownAt(roomStreamId(roomId), kept.roomRevision) && this.knownAt(roomMessagesStreamId(roomId), kept.messagesRevision)) return kept;
    const [roomEvents, messageEvents] = await Promise.all([
      this.eventStore.readStream(roomStreamId(roomId), { fromRevision: nextRevision(kept?.roomRevision) }),
      this.eventStore.readStream(roomMessagesStreamId(roomId), { fromRevision: nextRevision(kept?.messagesRevision) }),
    ]);
    let room: FoldedRoom = kept ?? { roomId, state: initialRoomState, roomRevision: undefined, messagesRevision: undefined, messageFacts: new Map() };
    if (roomEvents.length > 0 || messageEvents.length > 0) room = foldRecorded(room, roomEvents, messageEvents);
    this.cache.set(roomId, room);
    return room;
  }

  private knownAt(streamId: string, revision: number | undefined): boolean {
    const known = this.eventStore.knownStreamRevision?.(streamId);
    return known !== undefined && known === (revision ?? -1);
  }

}

/** An append of the turn met another process's: the commands from `firstUnsettled` on are decided again. */
class ConflictAt extends Error {
  constructor(readonly firstUnsettled: number) {
    super('wrong expected revision');
  }
}

/** A command that could not be made or answered: its caller gets the error. */
class Failed {
  constructor(readonly error: unknown) {}
}

function answerOf(decision: RoomDecision<unknown>, room: FoldedRoom, events: readonly RoomEvent[]): unknown {
  try {
    return decision.answer(room, events);
  } catch (error) {
    return new Failed(error);
  }
}

function settle(waiting: Waiting, outcome: () => unknown): void {
  try {
    waiting.resolve(outcome());
  } catch (error) {
    waiting.reject(error);
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
