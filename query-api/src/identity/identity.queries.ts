// Identity's reads, answered from the user-view read models only, each on its live generation (which
// `admin rebuild` may switch while the service runs; LiveGenerations notices within a second), and whether
// users are online from the presence tracker's hot state (one read for a whole list).
import {
  type ActivityPage,
  avatarUrlOf,
  LiveGenerations,
  type PresenceTracker,
  type PublicProfile,
  USER_ACTIVITY,
  USER_BLOCKS,
  USER_DIRECTORY,
  USER_SESSIONS,
  type UserActivityRepository,
  type UserBlocksRepository,
  type UserDirectoryRepository,
  type UserProfileView,
  type UserSessionsRepository,
  type UserSessionView,
  userActivityRepository,
  userBlocksRepository,
  userDirectoryRepository,
  userSessionsRepository,
  userViewCheckpoints,
} from '@chat/platform';
import type { DataSource } from 'typeorm';

export interface ActivityItem {
  readonly at: string;
  readonly kind: string;
  readonly detail: Readonly<Record<string, unknown>>;
  /** Pass as `before` for the entries older than this one. */
  readonly cursor: string;
}

export interface SessionItem {
  readonly id: string;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  readonly expiresAt: string;
  readonly userAgent: string;
  readonly ip: string;
  readonly current: boolean;
}

export class IdentityQueries {
  private readonly generations: LiveGenerations;
  private readonly repositories = new Map<string, unknown>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly presence: Pick<PresenceTracker, 'onlineAmong'>,
  ) {
    this.generations = new LiveGenerations(userViewCheckpoints(dataSource));
  }

  async profile(userId: string): Promise<PublicProfile | undefined> {
    const user = await (await this.directory()).get(userId);
    return user && (await this.withPresence([user]))[0];
  }

  async search(prefix: string, limit: number): Promise<PublicProfile[]> {
    return this.withPresence(await (await this.directory()).search({ prefix, limit }));
  }

  async blockedUsers(userId: string): Promise<PublicProfile[]> {
    const blocked = await (await this.blocks()).blockedBy(userId);
    return this.withPresence(await (await this.directory()).getMany(blocked.map((block) => block.blockedUserId)));
  }

  async activity(userId: string, page: ActivityPage): Promise<ActivityItem[]> {
    const entries = await (await this.activityLog()).list(userId, page);
    return entries.map(({ position, at, kind, detail }) => ({ at, kind, detail, cursor: String(position) }));
  }

  async sessions(userId: string, currentSessionId: string, now: Date): Promise<SessionItem[]> {
    const sessions = await (await this.sessionList()).liveSessions(userId, now.toISOString());
    return sessions.map((session: UserSessionView) => ({
      id: session.sessionId,
      createdAt: session.createdAt,
      lastUsedAt: session.lastUsedAt,
      expiresAt: session.expiresAt,
      userAgent: session.userAgent,
      ip: session.ip,
      current: session.sessionId === currentSessionId,
    }));
  }

  private async withPresence(users: readonly UserProfileView[]): Promise<PublicProfile[]> {
    const online = await this.presence.onlineAmong(users.map((user) => user.userId));
    return users.map((user) => publicProfile(user, online.has(user.userId)));
  }

  private directory(): Promise<UserDirectoryRepository> {
    return this.live(USER_DIRECTORY, userDirectoryRepository);
  }

  private blocks(): Promise<UserBlocksRepository> {
    return this.live(USER_BLOCKS, userBlocksRepository);
  }

  private activityLog(): Promise<UserActivityRepository> {
    return this.live(USER_ACTIVITY, userActivityRepository);
  }

  private sessionList(): Promise<UserSessionsRepository> {
    return this.live(USER_SESSIONS, userSessionsRepository);
  }

  /** One repository per generation, kept: each remembers that its table exists. */
  private async live<Repository>(readModel: string, create: (dataSource: DataSource, generation: number) => Repository): Promise<Repository> {
    const generation = await this.generations.of(readModel);
    const key = `${readModel}@${generation}`;
    let repository = this.repositories.get(key) as Repository | undefined;
    if (!repository) {
      repository = create(this.dataSource, generation);
      this.repositories.set(key, repository);
    }
    return repository;
  }
}

function publicProfile(user: UserProfileView, online: boolean): PublicProfile {
  return {
    id: user.userId,
    username: user.username,
    displayName: user.displayName,
    avatarUrl: avatarUrlOf(user.avatarFileId),
    online,
    lastSeenAt: user.lastSeenAt,
    bio: user.bio,
    statusText: user.statusText,
  };
}
