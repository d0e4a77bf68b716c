// Which rooms a user is a member of when their connection opens. Later changes arrive as
// `member.joined` / `member.left` frames on the change feed and are applied to open connections directly.
import {
  documentCheckpoints,
  type DocumentStore,
  LiveGenerations,
  messagingRepositories,
  ROOMS_READ_MODEL,
  type RoomListRepository,
} from '@chat/platform';

export interface RoomMembership {
  roomsOf(userId: string): Promise<string[]>;
}

/** From the rooms read model's live generation, which `admin rebuild` may switch while realtime runs. */
export class ReadModelRoomMembership implements RoomMembership {
  private readonly generations: LiveGenerations;
  private roomListOfGeneration?: { generation: number; roomList: RoomListRepository };

  constructor(private readonly documents: DocumentStore) {
    this.generations = new LiveGenerations(documentCheckpoints(documents));
  }

  async roomsOf(userId: string): Promise<string[]> {
    const rooms = await (await this.roomList()).roomsOf(userId);
    return rooms.map((room) => room.roomId);
  }

  private async roomList(): Promise<RoomListRepository> {
    const generation = await this.generations.of(ROOMS_READ_MODEL);
    if (this.roomListOfGeneration?.generation !== generation) {
      this.roomListOfGeneration = { generation, roomList: messagingRepositories(this.documents, generation).roomList };
    }
    return this.roomListOfGeneration.roomList;
  }
}
