// What the room commands need to know about people, from Identity: whether a user exists (members must
// be users) and whether one blocks another (a blocked user cannot open a direct room with, or write to,
// the one who blocked them).
import {
  type EventStore,
  type Infrastructure,
  LiveGenerations,
  USER_BLOCKS,
  type UserBlocksRepository,
  userBlocksRepository,
  userViewCheckpoints,
} from '@chat/platform';

type UserViews = Awaited<ReturnType<Infrastructure['userViews']>>;

export interface RoomPeople {
  /** The ids among `userIds` that belong to no registered user. */
  unknownUsers(userIds: readonly string[]): Promise<string[]>;
  /** Whether `blockerId` blocks `userId` now. */
  blocks(blockerId: string, userId: string): Promise<boolean>;
}

/**
 * Existence is asked of the event store: a user is registered once their stream `user-<id>` exists
 * (Identity writes it with the registration), which holds the moment registration answers. Blocks come
 * from Identity's user-blocks read model, so a block takes effect once projected (normally within
 * milliseconds); reading it spares a fold of the blocker's whole stream on every direct message.
 */
export class RegisteredPeople implements RoomPeople {
  private blocksOfGeneration?: { generation: number; repository: UserBlocksRepository };
  private generations?: LiveGenerations;

  constructor(
    private readonly eventStore: EventStore,
    private readonly userViews: () => Promise<UserViews>,
  ) {}

  async unknownUsers(userIds: readonly string[]): Promise<string[]> {
    const unique = [...new Set(userIds)];
    const revisions = await Promise.all(unique.map((userId) => this.eventStore.streamRevision(`user-${userId}`)));
    return unique.filter((_, i) => revisions[i] === undefined);
  }

  async blocks(blockerId: string, userId: string): Promise<boolean> {
    const blocked = await (await this.blocksRepository()).blockedBy(blockerId);
    return blocked.some((block) => block.blockedUserId === userId);
  }

  /** The repository of the live generation, made again only when `admin rebuild` switched it. */
  private async blocksRepository(): Promise<UserBlocksRepository> {
    const dataSource = await this.userViews();
    this.generations ??= new LiveGenerations(userViewCheckpoints(dataSource));
    const generation = await this.generations.of(USER_BLOCKS);
    if (this.blocksOfGeneration?.generation !== generation) {
      this.blocksOfGeneration = { generation, repository: userBlocksRepository(dataSource, generation) };
    }
    return this.blocksOfGeneration.repository;
  }
}
