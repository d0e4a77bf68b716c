// What realtime reads from the rooms read model: which rooms a user is a member of when their connection
// opens (later changes arrive as `member.joined` / `member.left` frames on the change feed and are applied
// to open connections directly), and the messages a resuming client missed.
import {
  documentCheckpoints,
  type DocumentStore,
  LiveGenerations,
  type MessageView,
  messageViewOf,
  type MessagingRepositories,
  messagingRepositories,
  ROOMS_READ_MODEL,
} from '@chat/platform';

export interface RoomMembership {
  roomsOf(userId: string): Promise<string[]>;
}

export interface MissedMessages {
  /**
   * The room's messages after `afterSeq`, oldest first, at most `limit`, as `GET /api/rooms/:id/messages`
   * shows them (edits, deletions and reactions applied; what the user cleared left out). Undefined unless
   * the user is a member of the room.
   */
  after(userId: string, roomId: string, afterSeq: number, limit: number): Promise<MessageView[] | undefined>;
}

/** From the rooms read model's live generation, which `admin rebuild` may switch while realtime runs. */
export class ReadModelRooms implements RoomMembership, MissedMessages {
  private readonly generations: LiveGenerations;
  private repositoriesOfGeneration?: { generation: number; repositories: MessagingRepositories };

  constructor(private readonly documents: DocumentStore) {
    this.generations = new LiveGenerations(documentCheckpoints(documents));
  }

  async roomsOf(userId: string): Promise<string[]> {
    const rooms = await (await this.repositories()).roomList.roomsOf(userId);
    return rooms.map((room) => room.roomId);
  }

  async after(userId: string, roomId: string, afterSeq: number, limit: number): Promise<MessageView[] | undefined> {
    const { roomList, messageHistory } = await this.repositories();
    const membership = await roomList.membership(roomId, userId);
    if (!membership) return undefined;
    const messages = await messageHistory.page(roomId, { afterSeq: Math.max(afterSeq, membership.clearedUpToSeq), limit, from: 'oldest' });
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
