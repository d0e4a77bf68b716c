// The room and message commands: each builds the domain's command (with the time, fresh ids and what
// Identity knows of the people involved), has it decided on the room's state and appended (RoomStreams),
// and answers from the state just decided on. The rules are all the domain's.
import { randomUUID } from 'node:crypto';
import {
  type ActiveRoom,
  decideRoom,
  directRoomId,
  type DomainError,
  type ForwardMessage,
  forwardSource,
  isDomainError,
  memberOf,
  messageSeenBy,
  type RoomCommand,
  type RoomEvent,
  type RoomMessage,
  type RoomRole,
  type RoomState,
  sentMessage,
} from '@chat/domain';
import { ApiError, type AuthenticatedUser, type EventMetadata, type EventStore, type MessageView, type RoomView } from '@chat/platform';
import { apiErrorOf } from '../identity/domain-errors';
import type { RoomPeople } from './room-people';
import { type FoldedRoom, RoomStreams, type RoomStreamsOptions } from './room-streams';
import { membersOf, messageViewOf, roomViewOf } from './room-views';

export interface RoomHandlersDependencies {
  readonly eventStore: EventStore;
  readonly people: RoomPeople;
  readonly now?: () => Date;
  readonly streams?: RoomStreamsOptions;
}

/** Who asks, and the request id that ties the events to the request in the logs. */
export interface RoomCaller extends Pick<AuthenticatedUser, 'userId'> {
  readonly requestId?: string;
}

export interface NewGroupRoom {
  readonly name: string;
  readonly topic?: string;
  readonly memberIds?: readonly string[];
}

export interface NewMessage {
  readonly clientMessageId: string;
  readonly text: string;
  readonly replyTo?: string;
}

export interface RoomDetailsUpdate {
  readonly name?: string;
  readonly topic?: string;
  readonly announcement?: string;
}

export class RoomHandlers {
  private readonly streams: RoomStreams;
  private readonly now: () => Date;

  constructor(private readonly dependencies: RoomHandlersDependencies) {
    this.streams = new RoomStreams(dependencies.eventStore, dependencies.streams);
    this.now = dependencies.now ?? (() => new Date());
  }

  async createGroupRoom(caller: RoomCaller, input: NewGroupRoom): Promise<RoomView> {
    await this.assertUsersExist(input.memberIds ?? []);
    const roomId = randomUUID();
    return this.decide(caller, roomId, () => ({ type: 'CreateGroupRoom', roomId, actorId: caller.userId, ...input, at: this.at() }), (room) => roomViewOf(activeIn(room)));
  }

  /** The pair's one direct room; `created` tells whether this call opened it. */
  async openDirectRoom(caller: RoomCaller, otherUserId: string): Promise<{ room: RoomView; created: boolean }> {
    await this.assertUsersExist([otherUserId]);
    const roomId = directRoomId(caller.userId, otherUserId);
    const blockedByOther = otherUserId !== caller.userId && (await this.dependencies.people.blocks(otherUserId, caller.userId));
    return this.decide(
      caller,
      roomId,
      () => ({ type: 'OpenDirectRoom', roomId, actorId: caller.userId, otherUserId, blockedByOther, at: this.at() }),
      (room, events) => ({ room: roomViewOf(activeIn(room)), created: events.length > 0 }),
    );
  }

  async updateRoom(caller: RoomCaller, roomId: string, changes: RoomDetailsUpdate): Promise<RoomView> {
    return this.decide(caller, roomId, () => ({ type: 'UpdateRoomDetails', roomId, actorId: caller.userId, ...changes, at: this.at() }), (room) => roomViewOf(activeIn(room)));
  }

  async deleteRoom(caller: RoomCaller, roomId: string): Promise<void> {
    await this.decide(caller, roomId, () => ({ type: 'DeleteRoom', roomId, actorId: caller.userId, at: this.at() }), () => undefined);
  }

  async addMember(caller: RoomCaller, roomId: string, userId: string): Promise<void> {
    await this.assertUsersExist([userId]);
    await this.decide(caller, roomId, () => ({ type: 'AddMember', roomId, actorId: caller.userId, userId, at: this.at() }), () => undefined);
  }

  /** Removing oneself is leaving. */
  async removeMember(caller: RoomCaller, roomId: string, userId: string): Promise<void> {
    await this.decide(caller, roomId, () => ({ type: 'RemoveMember', roomId, actorId: caller.userId, userId, at: this.at() }), () => undefined);
  }

  async changeMemberRole(caller: RoomCaller, roomId: string, userId: string, role: RoomRole): Promise<void> {
    await this.decide(caller, roomId, () => ({ type: 'ChangeMemberRole', roomId, actorId: caller.userId, userId, role, at: this.at() }), () => undefined);
  }

  async setNotificationsMuted(caller: RoomCaller, roomId: string, muted: boolean): Promise<void> {
    await this.decide(caller, roomId, () => ({ type: 'SetNotificationsMuted', roomId, actorId: caller.userId, muted, at: this.at() }), () => undefined);
  }

  /** A repeated `clientMessageId` answers the message already sent, as it is now. */
  async sendMessage(caller: RoomCaller, roomId: string, input: NewMessage): Promise<MessageView> {
    const { clientMessageId } = input;
    return this.decide(
      caller,
      roomId,
      async (state) => ({
        type: 'SendMessage',
        roomId,
        actorId: caller.userId,
        clientMessageId,
        text: input.text,
        ...(input.replyTo === undefined ? {} : { replyTo: input.replyTo }),
        blockedByOther: await this.blockedInDirectRoom(state, caller.userId),
        at: this.at(),
      }),
      (room, events) => messageViewOf(room, foundMessage(postedMessage(room, caller.userId, clientMessageId, events))),
    );
  }

  async editMessage(caller: RoomCaller, roomId: string, messageId: string, text: string): Promise<MessageView> {
    return this.decide(
      caller,
      roomId,
      () => ({ type: 'EditMessage', roomId, actorId: caller.userId, messageId, text, at: this.at() }),
      (room) => messageViewOf(room, foundMessage(messageSeenBy(room.state, activeIn(room), caller.userId, messageId))),
    );
  }

  async deleteMessage(caller: RoomCaller, roomId: string, messageId: string): Promise<void> {
    await this.decide(caller, roomId, () => ({ type: 'DeleteMessage', roomId, actorId: caller.userId, messageId, at: this.at() }), () => undefined);
  }

  async clearHistory(caller: RoomCaller, roomId: string, scope: 'me' | 'everyone'): Promise<void> {
    await this.decide(caller, roomId, () => ({ type: 'ClearHistory', roomId, actorId: caller.userId, scope, at: this.at() }), () => undefined);
  }

  async setReaction(caller: RoomCaller, roomId: string, messageId: string, emoji: string, reacted: boolean): Promise<void> {
    const type = reacted ? 'AddReaction' : 'RemoveReaction';
    await this.decide(caller, roomId, () => ({ type, roomId, actorId: caller.userId, messageId, emoji, at: this.at() }), () => undefined);
  }

  async setPinned(caller: RoomCaller, roomId: string, messageId: string, pinned: boolean): Promise<void> {
    const type = pinned ? 'PinMessage' : 'UnpinMessage';
    await this.decide(caller, roomId, () => ({ type, roomId, actorId: caller.userId, messageId, at: this.at() }), () => undefined);
  }

  async markRead(caller: RoomCaller, roomId: string, seq: number): Promise<void> {
    await this.decide(caller, roomId, () => ({ type: 'MarkRead', roomId, actorId: caller.userId, seq, at: this.at() }), () => undefined);
  }

  /**
   * Posts a copy of the message in each target room, in the order given. Every target is checked before
   * anything is posted, so a forward refused by one room posts nothing. A message forwarded to a room
   * is there once: its client message id derives from the source, so forwarding it there again (or
   * retrying) answers the copy already posted.
   */
  async forwardMessage(caller: RoomCaller, sourceRoomId: string, messageId: string, targetRoomIds: readonly string[]): Promise<MessageView[]> {
    const source = orThrow(await this.streams.inspect(sourceRoomId, (room) => forwardSource(room.state, sourceRoomId, caller.userId, messageId)));
    const targets = [...new Set(targetRoomIds)];
    const clientMessageId = `forward:${sourceRoomId}:${messageId}`;
    const forward = async (roomId: string, state: RoomState): Promise<ForwardMessage> => ({
      type: 'ForwardMessage',
      roomId,
      actorId: caller.userId,
      clientMessageId,
      source,
      blockedByOther: await this.blockedInDirectRoom(state, caller.userId),
      at: this.at(),
    });
    for (const roomId of targets) {
      const state = await this.streams.inspect(roomId, (room) => room.state);
      const refused = decideRoom(await forward(roomId, state), state);
      if (isDomainError(refused)) throw apiErrorOf(refused);
    }
    const forwarded: MessageView[] = [];
    for (const roomId of targets) {
      forwarded.push(await this.decide(caller, roomId, (state) => forward(roomId, state), (room, events) => messageViewOf(room, foundMessage(postedMessage(room, caller.userId, clientMessageId, events)))));
    }
    return forwarded;
  }

  private async decide<Answer>(
    caller: RoomCaller,
    roomId: string,
    command: (state: RoomState) => RoomCommand | Promise<RoomCommand>,
    answer: (room: FoldedRoom, events: readonly RoomEvent[]) => Answer,
  ): Promise<Answer> {
    const metadata: EventMetadata = { actorId: caller.userId, ...(caller.requestId ? { correlationId: caller.requestId } : {}) };
    return orThrow(await this.streams.decide(roomId, { command, metadata, answer }));
  }

  /** In a direct room the actor belongs to, whether the other person blocks them; elsewhere it does not matter. */
  private async blockedInDirectRoom(state: RoomState, actorId: string): Promise<boolean> {
    if (state.room.status !== 'active' || state.room.kind !== 'direct' || !memberOf(state.room, actorId)) return false;
    const other = membersOf(state.room).find((member) => member.userId !== actorId);
    return other !== undefined && this.dependencies.people.blocks(other.userId, actorId);
  }

  private async assertUsersExist(userIds: readonly string[]): Promise<void> {
    const unknown = await this.dependencies.people.unknownUsers(userIds);
    if (unknown.length > 0) throw new ApiError('NOT_FOUND', `no such user: ${unknown.join(', ')}`, { reason: 'USER_NOT_FOUND', userIds: unknown });
  }

  private at(): string {
    return this.now().toISOString();
  }
}

function orThrow<T>(outcome: T | DomainError): T {
  if (isDomainError(outcome)) throw apiErrorOf(outcome);
  return outcome;
}

/** The room as it is once a command succeeded on it: a room command only succeeds in an active room. */
function activeIn(room: FoldedRoom): ActiveRoom {
  if (room.state.room.status !== 'active') throw new Error(`room ${room.roomId} is not active after a successful command`);
  return room.state.room;
}

/** The message a send or forward posted, or (no event: a repeat) the one posted before with the same client id. */
function postedMessage(room: FoldedRoom, authorId: string, clientMessageId: string, events: readonly RoomEvent[]): RoomMessage | undefined {
  const posted = events.find((event) => event.type === 'MessageSent');
  // The id is in the event already: deriving it again (a SHA-1) is the costliest step of a send.
  return posted ? messageSeenBy(room.state, activeIn(room), authorId, posted.data.messageId) : sentMessage(room.state, authorId, clientMessageId);
}

function foundMessage<M>(message: M | undefined): M {
  if (!message) throw new Error('the message the command just decided on is not in the room');
  return message;
}
