// Past events for the room specifications: a group room staffed with two people of every role but owner.
import { messageEventId } from './ids';
import type { ForwardOrigin, MessageSent, RoomEvent, RoomStreamEvent } from './room.events';
import type { RoomRole } from './roles';

export const roomId = '4a1c7e52-0d55-4c2e-9d0e-6f1b2a3c4d5e';
export const otherRoomId = '9b2d8f63-1e66-4d3f-8e1f-7a2c3b4d5e6f';
export const at = '2026-03-01T10:00:00.000Z';
export const later = '2026-03-01T11:00:00.000Z';

/** Who holds which role in `staffedRoom`: alice owns it, and there are two of every other role. */
export const people = {
  owner: 'alice',
  admin: 'bob', otherAdmin: 'bea',
  moderator: 'carol', otherModerator: 'cleo',
  member: 'dave', otherMember: 'dora',
  outsider: 'mallory',
} as const;

export const created: RoomStreamEvent = { type: 'GroupRoomCreated', data: { roomId, name: 'Launch', topic: '', ownerId: people.owner, at } };

export function memberAdded(userId: string, lastReadSeq = 0, room = roomId): RoomStreamEvent {
  return { type: 'RoomMemberAdded', data: { roomId: room, userId, role: 'member', lastReadSeq, by: people.owner, at } };
}

export function roleChanged(userId: string, role: RoomRole, previousRole: RoomRole = 'member'): RoomStreamEvent {
  return { type: 'RoomMemberRoleChanged', data: { roomId, userId, role, previousRole, by: people.owner, at } };
}

export const staffedRoom: RoomEvent[] = [
  created,
  ...[people.admin, people.otherAdmin, people.moderator, people.otherModerator, people.member, people.otherMember].map((userId) => memberAdded(userId)),
  roleChanged(people.admin, 'admin'),
  roleChanged(people.otherAdmin, 'admin'),
  roleChanged(people.moderator, 'moderator'),
  roleChanged(people.otherModerator, 'moderator'),
];

export function sent(seq: number, authorId: string, extra: { text?: string; replyTo?: string; forwardedFrom?: ForwardOrigin; room?: string } = {}): MessageSent {
  const clientMessageId = `client-${seq}`;
  const { text = `message ${seq}`, room = roomId, ...links } = extra;
  return {
    type: 'MessageSent',
    data: { roomId: room, messageId: messageEventId(authorId, clientMessageId), seq, authorId, clientMessageId, text, ...links, at },
  };
}

export function idOf(message: MessageSent): string {
  return message.data.messageId;
}
