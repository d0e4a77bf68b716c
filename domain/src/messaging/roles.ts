// Room roles, ranked owner > admin > moderator > member. A role acts on, and grants, only roles
// strictly below its own, so nobody can touch an equal or a superior, and the one owner is untouchable
// until they hand ownership over themselves.

export const roomRoles = ['owner', 'admin', 'moderator', 'member'] as const;
export type RoomRole = (typeof roomRoles)[number];

const rank: Readonly<Record<RoomRole, number>> = { owner: 3, admin: 2, moderator: 1, member: 0 };

/** Whether a member with `actorRole` may remove, or change the role of, a member with `targetRole`. */
export function canActOn(actorRole: RoomRole, targetRole: RoomRole): boolean {
  return rank[actorRole] > rank[targetRole];
}

/** Whether `actorRole` may give someone `role`. Never `owner`: ownership is transferred, not granted. */
export function canGrant(actorRole: RoomRole, role: RoomRole): boolean {
  return rank[actorRole] > rank[role];
}

/** What a member may do to the room or to others' messages, beyond what every member may do. */
export type RoomAction =
  | 'editRoomDetails' // name, topic, announcement
  | 'deleteRoom'
  | 'addMember'
  | 'removeMember' // and then only members below the actor
  | 'changeRole' // and then only members below the actor, to roles below the actor
  | 'transferOwnership'
  | 'pinMessage' // and unpin
  | 'deleteAnyMessage' // everyone may delete their own
  | 'clearHistoryForEveryone'; // everyone may clear it for themselves

export const minimumRole: Readonly<Record<RoomAction, RoomRole>> = {
  editRoomDetails: 'admin',
  deleteRoom: 'owner',
  addMember: 'admin',
  removeMember: 'admin',
  changeRole: 'admin',
  transferOwnership: 'owner',
  pinMessage: 'moderator',
  deleteAnyMessage: 'moderator',
  clearHistoryForEveryone: 'admin',
};

export function mayPerform(role: RoomRole, action: RoomAction): boolean {
  return rank[role] >= rank[minimumRole[action]];
}
