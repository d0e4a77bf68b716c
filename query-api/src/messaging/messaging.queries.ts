// Rooms and messages, answered from the rooms read model only (its live generation, which `admin
// rebuild` may switch while the service runs). A room the caller is not a member of reads as unknown.
import {
  type DocumentStore,
  documentCheckpoints,
  type Infrastructure,
  LiveGenerations,
  type MessageView,
  messageViewOf,
  type MessagingRepositories,
  messagingRepositories,
  type RoomListItemView,
  ROOMS_READ_MODEL,
  type RoomView,
  USER_DIRECTORY,
  type UserDirectoryRepository,
  userDirectoryRepository,
  userViewCheckpoints,
} from '@chat/platform';

type UserViews = Awaited<ReturnType<Infrastructure['userViews']>>;

export interface HistoryPage {
  /** Exclusive: only messages before this seq. */
  readonly before?: number;
  /** Exclusive: only messages after this seq; the page then starts right after it. */
  readonly after?: number;
  readonly limit: number;
}

export class MessagingQueries {
  private readonly generations: LiveGenerations;
  private repositoriesOfGeneration?: { generation: number; repositories: MessagingRepositories };

  constructor(
    private readonly documents: DocumentStore,
    private readonly names: PeopleNames,
  ) {
    this.generations = new LiveGenerations(documentCheckpoints(documents));
  }

  async rooms(userId: string): Promise<RoomListItemView[]> {
    const rooms = await (await this.repositories()).roomList.roomsOf(userId);
    const peerOf = (directMemberIds: readonly string[]) => directMemberIds.find((id) => id !== userId);
    const names = await this.names.of(rooms.flatMap((room) => peerOf(room.directMemberIds) ?? []));
    return rooms.map((room) => {
      const peerId = room.kind === 'direct' ? peerOf(room.directMemberIds) : undefined;
      return {
        id: room.roomId,
        kind: room.kind,
        name: peerId === undefined ? room.name : (names.get(peerId) ?? ''),
        topic: room.topic,
        ...(peerId === undefined ? {} : { peerId }),
        lastMessage: room.lastMessage && {
          id: room.lastMessage.messageId,
          seq: room.lastMessage.seq,
          authorId: room.lastMessage.authorId,
          text: room.lastMessage.text,
          createdAt: room.lastMessage.createdAt,
          edited: room.lastMessage.edited,
          deleted: room.lastMessage.deleted,
        },
        lastSeq: room.lastSeq,
        unreadCount: room.unreadCount,
        lastReadSeq: room.lastReadSeq,
        muted: room.muted,
        role: room.role,
        lastActivityAt: room.lastActivityAt,
      };
    });
  }

  /** Undefined unless the caller is a member. */
  async room(userId: string, roomId: string): Promise<RoomView | undefined> {
    const room = await (await this.repositories()).roomDetails.get(roomId);
    if (!room || !room.members.some((member) => member.userId === userId)) return undefined;
    const peerId = room.kind === 'direct' ? room.members.find((member) => member.userId !== userId)?.userId : undefined;
    const name = peerId === undefined ? room.name : ((await this.names.of([peerId])).get(peerId) ?? '');
    const { roomId: id, kind, topic, announcement, createdAt } = room;
    return { id, kind, name, topic, announcement, createdAt, members: room.members.map((m) => ({ ...m })), pinned: [...room.pinned] };
  }

  /** Undefined unless the caller is a member; what they cleared is never in it. */
  async messages(userId: string, roomId: string, page: HistoryPage): Promise<MessageView[] | undefined> {
    const { roomList, messageHistory } = await this.repositories();
    const membership = await roomList.membership(roomId, userId);
    if (!membership) return undefined;
    const messages = await messageHistory.page(roomId, {
      afterSeq: Math.max(page.after ?? 0, membership.clearedUpToSeq),
      ...(page.before === undefined ? {} : { beforeSeq: page.before }),
      limit: page.limit,
      from: page.after === undefined ? 'newest' : 'oldest',
    });
    return messages.map(messageViewOf);
  }

  private async repositories(): Promise<MessagingRepositories> {
    const generation = await this.generations.of(ROOMS_READ_MODEL);
    if (this.repositoriesOfGeneration?.generation !== generation) {
      this.repositoriesOfGeneration = { generation, repositories: messagingRepositories(this.documents, generation) };
    }
    return this.repositoriesOfGeneration.repositories;
  }
}

/** What a direct room is called: the other person's display name (or username), from the user directory. */
export class PeopleNames {
  private generations?: LiveGenerations;
  private directoryOfGeneration?: { generation: number; directory: UserDirectoryRepository };

  constructor(private readonly userViews: () => Promise<UserViews>) {}

  async of(userIds: readonly string[]): Promise<Map<string, string>> {
    if (userIds.length === 0) return new Map();
    const profiles = await (await this.directory()).getMany([...new Set(userIds)]);
    return new Map(profiles.map((profile) => [profile.userId, profile.displayName || profile.username]));
  }

  private async directory(): Promise<UserDirectoryRepository> {
    const dataSource = await this.userViews();
    this.generations ??= new LiveGenerations(userViewCheckpoints(dataSource));
    const generation = await this.generations.of(USER_DIRECTORY);
    if (this.directoryOfGeneration?.generation !== generation) {
      this.directoryOfGeneration = { generation, directory: userDirectoryRepository(dataSource, generation) };
    }
    return this.directoryOfGeneration.directory;
  }
}
