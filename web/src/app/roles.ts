// What a room role lets its holder do, as the contract states it (API.md, Rooms and Messages): the
// client shows only the actions the server would allow. owner > admin > moderator > member.
import type { RoomKind, RoomRole } from '../api/types';

export const ROOM_ROLES: readonly RoomRole[] = ['owner', 'admin', 'moderator', 'member'];

const rank: Readonly<Record<RoomRole, number>> = { owner: 3, admin: 2, moderator: 1, member: 0 };

/** Pin and unpin, delete others' messages. */
export const mayModerate = (role: RoomRole) => rank[role] >= rank.moderator;

/** Edit the room's details and announcement, add and remove members, change roles. */
export const mayAdminister = (role: RoomRole) => rank[role] >= rank.admin;

/** Hand ownership over, delete the room. */
export const mayOwn = (role: RoomRole) => role === 'owner';

/** Remove, or change the role of, a member: only one ranked below. */
export const mayActOn = (actor: RoomRole, target: RoomRole) => rank[actor] > rank[target];

/** The roles the actor may give: those below its own; ownership is handed over, never granted. */
export const grantableBy = (actor: RoomRole) => ROOM_ROLES.filter((role) => role !== 'owner' && rank[role] < rank[actor]);

/** Clear the history for every member (anyone may clear it for themselves); a direct room has no such role. */
export const mayClearForEveryone = (role: RoomRole, kind: RoomKind) => kind === 'group' && mayAdminister(role);
