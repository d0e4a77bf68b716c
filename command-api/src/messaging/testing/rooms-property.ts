// The property the rooms read models must keep, whichever store holds them: random sequences of room
// commands by several people (sends, repeats, replies, edits, deletions, reactions, reads, clears, joins,
// leaves, role changes, forwards), run through the command handlers (some of them at the same time),
// then projected by the real projection (in batches of a random size, then partly replayed as after a
// crash). Afterwards every person's room list (unread counts, read markers, roles, last messages) and
// every history they can read equal what the domain computes by folding the log.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  clearedUpToSeq,
  fold,
  memberOf,
  messageSeenBy,
  type RoomEvent,
  type RoomMessage,
  type RoomRole,
  type RoomState,
  roomDecider,
  roomMessagesStreamId,
  roomStreamId,
  unreadCount,
} from '@chat/domain';
import {
  ApiError,
  createLogger,
  type EventStore,
  Infrastructure,
  loadConfig,
  messagingRepositories,
  type MessagingRepositories,
  previewOf,
  ROOMS_READ_MODEL,
} from '@chat/platform';
import { findReadModel, ProjectionProcessor } from '@chat/projectors';
import fc from 'fast-check';
import { RoomHandlers } from '../room.handlers';
import type { RoomPeople } from '../room-people';
import { membersOf } from '../room-views';

const PEOPLE = 5;
const EMOJI = ['👍', '❤️', 'a.b', '$x'] as const;
const ROLES: readonly RoomRole[] = ['admin', 'moderator', 'member', 'owner'];

const person = fc.integer({ min: 0, max: PEOPLE - 1 });
const room = fc.integer({ min: 0, max: 2 }); // 0 and 1 group rooms, 2 a direct room of persons 0 and 1
const message = fc.nat({ max: 1000 }); // an index into the messages sent so far, modulo their number
const text = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('hi', 'hello there', 'ok', '  padded  ', '👋🏽 ☕') }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });

const action = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('send' as const), by: person, room, text, replyTo: fc.option(message), repeat: fc.option(message, { freq: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('edit' as const), by: person, message, text }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), by: person, message }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('react' as const), by: person, message, emoji: fc.constantFrom(...EMOJI), reacted: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('read' as const), by: person, room, ahead: fc.integer({ min: -3, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const), by: person, room, everyone: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('join' as const), by: person, who: person, room }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('leave' as const), by: person, who: person, room }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('role' as const), by: person, who: person, room, role: fc.constantFrom(...ROLES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forward' as const), by: person, message, to: room }) },
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

const scenario = fc.record({
  /** Who else is in each group room from the start (person 0 owns both). */
  firstMembers: fc.tuple(fc.subarray([1, 2, 3, 4], { minLength: 1 }), fc.subarray([1, 2, 3, 4], { minLength: 1 })),
  actions: fc.array(action, { minLength: 10, maxLength: 80, size: 'max' }),
  /** How many actions run at once, in turn. */
  concurrency: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 20 }),
  batchSize: fc.integer({ min: 1, max: 40 }),
  /** Where in the run's log a replay starts, as a fraction of it. */
  replayFrom: fc.double({ min: 0, max: 1, noNaN: true }),
});

/** Everyone exists and nobody blocks anybody: Identity's part is not what is under test here. */
const everyoneWelcome: RoomPeople = { unknownUsers: async () => [], blocks: async () => false };

export interface PropertyWorld {
  readonly infrastructure: Infrastructure;
  close(): Promise<void>;
}

/** An Infrastructure over a temporary DATA_DIR; with `mongoUrl`, the document read models in a database of their own. */
export function propertyWorld(mongoUrl?: string): PropertyWorld {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-rooms-property-'));
  const database = `chat_property_${randomUUID().slice(0, 8)}`;
  const env: Record<string, string> = { DATA_DIR: dataDir, ...(mongoUrl ? { MONGODB_URL: mongoUrl.replace(/^(mongodb:\/\/[^/?]+)[^?]*/, `$1/${database}`) } : {}) };
  const infrastructure = new Infrastructure(loadConfig('rooms-property', env), createLogger({ serviceName: 'rooms-property', level: 'silent' }));
  return {
    infrastructure,
    close: async () => {
      const documents = await infrastructure.documents();
      if (documents.kind === 'mongodb') await documents.db.dropDatabase();
      await infrastructure.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function checkRoomsProperty(world: PropertyWorld, options: { numRuns: number }): Promise<void> {
  const { infrastructure } = world;
  const eventStore = await infrastructure.eventStore();
  const model = findReadModel(ROOMS_READ_MODEL);
  if (!model) throw new Error('the rooms read model is not in the catalogue');
  let generation = 1000;

  await fc.assert(
    fc.asyncProperty(scenario, async ({ firstMembers, actions, concurrency, batchSize, replayFrom }) => {
      const people = Array.from({ length: PEOPLE }, () => randomUUID());
      const handlers = new RoomHandlers({ eventStore, people: everyoneWelcome });
      const startedAt = await eventStore.headPosition();
      const rooms = await openRooms(handlers, people, firstMembers);
      const sent: { roomId: string; messageId: string; by: string; clientMessageId: string }[] = [];
      const run = (act: Action) => perform(act, { handlers, people, rooms, sent }).catch(onlyRefusals);
      for (let i = 0, turn = 0; i < actions.length; turn++) {
        const width = concurrency[turn % concurrency.length] ?? 1;
        await Promise.all(actions.slice(i, i + width).map(run));
        i += width;
      }

      const thisGeneration = ++generation;
      const projection = await model.projection(infrastructure, thisGeneration);
      const store = await model.projectionStore(infrastructure);
      const project = async (from: number) => {
        // Checkpoints never move back of their own accord: a replay starts from a checkpoint made anew.
        await store.checkpoints.remove(projection.name);
        await store.checkpoints.save(projection.name, from);
        const processor = new ProjectionProcessor({ eventStore, store, projection, logger: infrastructure.logger, batchSize });
        processor.start();
        await processor.waitUntilCaughtUp();
        await processor.stop();
      };
      await project(startedAt);
      const head = await eventStore.headPosition();
      await project(Math.floor(startedAt + (head - startedAt) * replayFrom));

      const repositories = messagingRepositories(await infrastructure.projectionDocuments(), thisGeneration);
      try {
        for (const roomId of rooms) {
          const state = await foldRoom(eventStore, roomId);
          for (const userId of people) await expectSameView(repositories, state, roomId, userId);
        }
      } finally {
        await model.drop(infrastructure, thisGeneration);
        await store.checkpoints.remove(projection.name);
      }
    }),
    { numRuns: options.numRuns },
  );
}

/** Two group rooms owned by person 0 and the direct room of persons 0 and 1. */
async function openRooms(handlers: RoomHandlers, people: readonly string[], firstMembers: readonly (readonly number[])[]): Promise<string[]> {
  const owner = { userId: people[0]! };
  const groups = await Promise.all(
    firstMembers.map((members, i) => handlers.createGroupRoom(owner, { name: `Room ${i}`, memberIds: members.map((m) => people[m]!) })),
  );
  const direct = await handlers.openDirectRoom(owner, people[1]!);
  return [...groups.map((g) => g.id), direct.room.id];
}

interface RunState {
  readonly handlers: RoomHandlers;
  readonly people: readonly string[];
  readonly rooms: readonly string[];
  readonly sent: { roomId: string; messageId: string; by: string; clientMessageId: string }[];
}

async function perform(act: Action, { handlers, people, rooms, sent }: RunState): Promise<void> {
  const caller = { userId: people[act.by]! };
  const pick = (index: number) => sent[index % Math.max(1, sent.length)];
  switch (act.kind) {
    case 'send': {
      const roomId = rooms[act.room]!;
      const repeated = act.repeat === null ? undefined : pick(act.repeat);
      const clientMessageId = repeated && repeated.by === caller.userId ? repeated.clientMessageId : randomUUID();
      const replyTo = act.replyTo === null ? undefined : pick(act.replyTo);
      const message = await handlers.sendMessage(caller, roomId, { clientMessageId, text: act.text, ...(replyTo && replyTo.roomId === roomId ? { replyTo: replyTo.messageId } : {}) });
      if (!sent.some((s) => s.roomId === roomId && s.messageId === message.id)) sent.push({ roomId, messageId: message.id, by: caller.userId, clientMessageId });
      return;
    }
    case 'edit': {
      const target = pick(act.message);
      if (target) await handlers.editMessage(caller, target.roomId, target.messageId, act.text);
      return;
    }
    case 'delete': {
      const target = pick(act.message);
      if (target) await handlers.deleteMessage(caller, target.roomId, target.messageId);
      return;
    }
    case 'react': {
      const target = pick(act.message);
      if (target) await handlers.setReaction(caller, target.roomId, target.messageId, act.emoji, act.reacted);
      return;
    }
    case 'read': {
      const roomId = rooms[act.room]!;
      const lastSeq = sent.filter((s) => s.roomId === roomId).length;
      await handlers.markRead(caller, roomId, Math.max(0, lastSeq + act.ahead));
      return;
    }
    case 'clear':
      await handlers.clearHistory(caller, rooms[act.room]!, act.everyone ? 'everyone' : 'me');
      return;
    case 'join':
      await handlers.addMember(caller, rooms[act.room]!, people[act.who]!);
      return;
    case 'leave':
      await handlers.removeMember(caller, rooms[act.room]!, people[act.who]!);
      return;
    case 'role':
      await handlers.changeMemberRole(caller, rooms[act.room]!, people[act.who]!, act.role);
      return;
    case 'forward': {
      const source = pick(act.message);
      if (!source) return;
      const forwarded = await handlers.forwardMessage(caller, source.roomId, source.messageId, [rooms[act.to]!]);
      for (const copy of forwarded) {
        if (!sent.some((s) => s.roomId === copy.roomId && s.messageId === copy.id)) sent.push({ roomId: copy.roomId, messageId: copy.id, by: caller.userId, clientMessageId: `forward:${source.roomId}:${source.messageId}` });
      }
      return;
    }
  }
}

/** A command the rules refuse is part of the game; anything else is a failure. */
function onlyRefusals(error: unknown): void {
  if (!(error instanceof ApiError) || error.status >= 500) throw error;
}

async function foldRoom(eventStore: EventStore, roomId: string): Promise<RoomState & { sentIds: string[] }> {
  const recorded = [...(await eventStore.readStream(roomStreamId(roomId))), ...(await eventStore.readStream(roomMessagesStreamId(roomId)))];
  const events = recorded.map((event) => ({ type: event.type, data: event.data }) as RoomEvent);
  const sentIds = events.flatMap((event) => (event.type === 'MessageSent' ? [event.data.messageId] : []));
  return { ...fold(roomDecider, events), sentIds };
}

/** What `userId` reads of the room in the read models is what the domain says of the folded log. */
async function expectSameView(repositories: MessagingRepositories, state: RoomState & { sentIds: string[] }, roomId: string, userId: string): Promise<void> {
  const listed = (await repositories.roomList.roomsOf(userId)).find((item) => item.roomId === roomId);
  const membership = await repositories.roomList.membership(roomId, userId);
  const details = await repositories.roomDetails.get(roomId);
  const room = state.room.status === 'active' ? state.room : undefined;
  const member = room && memberOf(room, userId);
  if (!room || !member) {
    expect({ roomId, userId, listed, membership, isMember: details?.members.some((m) => m.userId === userId) ?? false }).toEqual({
      roomId, userId, listed: undefined, membership: undefined, isMember: false,
    });
    return;
  }

  const seen = state.sentIds.flatMap((id) => messageSeenBy(state, room, userId, id) ?? []).sort((a, b) => a.seq - b.seq);
  const cleared = clearedUpToSeq(room, userId);
  const last = state.log.lastSeq > cleared ? seen.at(-1) : undefined;
  expect({ roomId, userId, listed: listed && { ...listed, lastActivityAt: undefined, joinedAt: undefined } }).toEqual({
    roomId,
    userId,
    listed: expect.objectContaining({
      roomId,
      unreadCount: unreadCount(seen, { userId, lastReadSeq: member.lastReadSeq, clearedUpToSeq: cleared }),
      lastReadSeq: member.lastReadSeq,
      lastSeq: state.log.lastSeq,
      role: member.role,
      muted: member.muted,
      lastMessage: last
        ? { messageId: last.messageId, seq: last.seq, authorId: last.authorId, text: last.deleted ? '' : previewOf(last.text), createdAt: expect.any(String), edited: expect.any(Boolean), deleted: last.deleted }
        : null,
    }),
  });
  expect(membership).toEqual({ roomId, userId, role: member.role, lastReadSeq: member.lastReadSeq, clearedUpToSeq: cleared });
  expect(details?.members.map(({ userId: id, role }) => ({ userId: id, role }))).toEqual(membersOf(room).map(({ userId: id, role }) => ({ userId: id, role })));
  expect(details?.pinned).toEqual(room.pinned);

  const history = await readWholeHistory(repositories, roomId, cleared);
  expect({ roomId, userId, history }).toEqual({ roomId, userId, history: seen.map(expectedMessage) });
}

/** Pages through the history as `GET /api/rooms/:id/messages?after=` does, 7 at a time. */
async function readWholeHistory(repositories: MessagingRepositories, roomId: string, clearedUpToSeq: number) {
  const messages = [];
  for (let after = clearedUpToSeq; ; ) {
    const page = await repositories.messageHistory.page(roomId, { afterSeq: after, limit: 7, from: 'oldest' });
    if (page.length === 0) break;
    messages.push(...page.map(({ messageId, seq, authorId, text, deleted, reactions, forwardedFrom }) => ({ messageId, seq, authorId, text, deleted, reactions, forwardedFrom })));
    after = page.at(-1)!.seq;
  }
  return messages;
}

function expectedMessage(message: RoomMessage) {
  return {
    messageId: message.messageId,
    seq: message.seq,
    authorId: message.authorId,
    text: message.deleted ? '' : message.text,
    deleted: message.deleted,
    reactions: message.deleted ? {} : message.reactions,
    forwardedFrom: message.forwardedFrom ?? null,
  };
}
