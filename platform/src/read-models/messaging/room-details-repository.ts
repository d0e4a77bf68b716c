// The room details read model: one document per room for `GET /api/rooms/:id`, with its members and
// pinned messages. Membership changes are rare next to messages, so each change rewrites the room's
// document (read, change, write back guarded by the position read), the same way in both stores.
import type { RoomRole } from '@chat/domain';
import type { RoomKind } from './room-list-repository';

export interface RoomMemberRecord {
  readonly userId: string;
  readonly role: RoomRole;
  readonly joinedAt: string;
}

export interface RoomDetailsRecord {
  readonly roomId: string;
  readonly kind: RoomKind;
  /** Empty for a direct room: its name is the other person's. */
  readonly name: string;
  readonly topic: string;
  readonly announcement: string;
  readonly createdAt: string;
  /** In the order they joined (see `byJoining`). */
  readonly members: readonly RoomMemberRecord[];
  /** Message ids, in the order they were pinned. */
  readonly pinned: readonly string[];
}

export interface RoomDetailsChanges {
  readonly name?: string;
  readonly topic?: string;
  readonly announcement?: string;
}

/** Each write carries its event's global position; a room ignores positions at or below the last it applied. */
export interface RoomDetailsRepository {
  recordOpened(room: RoomDetailsRecord, position: number): Promise<void>;
  /** The room after the change, or undefined when the room is unknown. */
  recordChanged(roomId: string, changes: RoomDetailsChanges, position: number): Promise<RoomDetailsRecord | undefined>;
  recordDeleted(roomId: string, position: number): Promise<void>;
  recordMemberJoined(roomId: string, member: RoomMemberRecord, position: number): Promise<void>;
  recordMemberLeft(roomId: string, userId: string, position: number): Promise<void>;
  /** One event may change two roles (an ownership handed over): they are written together. */
  recordRolesChanged(roomId: string, roles: readonly { readonly userId: string; readonly role: RoomRole }[], position: number): Promise<void>;
  /** The room's pinned messages after the change, or undefined when the room is unknown. */
  recordPin(roomId: string, messageId: string, pinned: boolean, position: number): Promise<readonly string[] | undefined>;
  /** Undefined when the room does not exist or was deleted. */
  get(roomId: string): Promise<RoomDetailsRecord | undefined>;
  /** Removes the read model's storage (a replaced generation). */
  drop(): Promise<void>;
}

/**
 * The order members are listed in: by the time they joined, and those who joined together (a room's
 * first members) by id. Command answers list them the same way.
 */
export function byJoining(a: RoomMemberRecord, b: RoomMemberRecord): number {
  if (a.joinedAt !== b.joinedAt) return a.joinedAt < b.joinedAt ? -1 : 1;
  return a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
}

/** A room's stored document: its details, whether it was deleted, and the last position applied. */
export interface StoredRoomDetails {
  readonly details: RoomDetailsRecord;
  readonly deleted: boolean;
  readonly lastPosition: number;
}

/**
 * What both stores share: every change is `change(document)` written back over the document read,
 * only when the position is new to it. An implementation provides reading and the guarded write.
 */
export abstract class RoomDetailsDocuments implements RoomDetailsRepository {
  protected abstract load(roomId: string): Promise<StoredRoomDetails | undefined>;
  /** Inserts a new room; a room already there stays as it is. */
  protected abstract insert(room: StoredRoomDetails): Promise<void>;
  /** Writes `room` over the stored document, unless it changed since it was read at `readAtPosition`. */
  protected abstract replace(room: StoredRoomDetails, readAtPosition: number): Promise<void>;
  abstract drop(): Promise<void>;

  recordOpened(room: RoomDetailsRecord, position: number): Promise<void> {
    return this.insert({ details: room, deleted: false, lastPosition: position });
  }

  async recordChanged(roomId: string, changes: RoomDetailsChanges, position: number): Promise<RoomDetailsRecord | undefined> {
    return (await this.change(roomId, position, (stored) => ({ ...stored, details: { ...stored.details, ...changes } })))?.details;
  }

  async recordDeleted(roomId: string, position: number): Promise<void> {
    await this.change(roomId, position, (stored) => ({ ...stored, deleted: true }));
  }

  async recordMemberJoined(roomId: string, member: RoomMemberRecord, position: number): Promise<void> {
    await this.changeMembers(roomId, position, (members) => [...members.filter((m) => m.userId !== member.userId), member].sort(byJoining));
  }

  async recordMemberLeft(roomId: string, userId: string, position: number): Promise<void> {
    await this.changeMembers(roomId, position, (members) => members.filter((m) => m.userId !== userId));
  }

  async recordRolesChanged(roomId: string, roles: readonly { readonly userId: string; readonly role: RoomRole }[], position: number): Promise<void> {
    const roleOf = new Map(roles.map(({ userId, role }) => [userId, role]));
    await this.changeMembers(roomId, position, (members) => members.map((m) => ({ ...m, role: roleOf.get(m.userId) ?? m.role })));
  }

  async recordPin(roomId: string, messageId: string, pinned: boolean, position: number): Promise<readonly string[] | undefined> {
    const changed = await this.change(roomId, position, (stored) => {
      const others = stored.details.pinned.filter((id) => id !== messageId);
      return { ...stored, details: { ...stored.details, pinned: pinned ? [...others, messageId] : others } };
    });
    return changed?.details.pinned;
  }

  async get(roomId: string): Promise<RoomDetailsRecord | undefined> {
    const stored = await this.load(roomId);
    return stored && !stored.deleted ? stored.details : undefined;
  }

  private changeMembers(roomId: string, position: number, change: (members: readonly RoomMemberRecord[]) => readonly RoomMemberRecord[]) {
    return this.change(roomId, position, (stored) => ({ ...stored, details: { ...stored.details, members: change(stored.details.members) } }));
  }

  /** The room as it is after the change (or as it was, when the position was applied before). */
  private async change(roomId: string, position: number, change: (stored: StoredRoomDetails) => StoredRoomDetails): Promise<StoredRoomDetails | undefined> {
    const stored = await this.load(roomId);
    if (!stored || stored.lastPosition >= position) return stored;
    const changed = { ...change(stored), lastPosition: position };
    await this.replace(changed, stored.lastPosition);
    return changed;
  }
}
