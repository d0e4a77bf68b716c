// The answers of the room commands, taken from the room's state just decided on (the read models may
// not have caught up yet), in the same shapes query-api answers with.
import type { ActiveRoom, RoomMember, RoomMessage } from '@chat/domain';
import { byJoining, type MessageView, type RoomView } from '@chat/platform';
import type { FoldedRoom } from './room-streams';

/**
 * The room's members, listed as the room details read model lists them (`byJoining`). The domain keeps
 * them in its persistent map, which has no iteration of its own; its shape is plain data (a trie of
 * 32-slot branches and buckets of entries, documented in persistent-map.ts), so it is walked here.
 */
export function membersOf(room: ActiveRoom): RoomMember[] {
  type Node = ActiveRoom['members']['root'] | ActiveRoom['members']['root']['slots'][number];
  const members: RoomMember[] = [];
  const visit = (node: Node | undefined): void => {
    if (!node) return;
    if (node.kind === 'bucket') for (const [, member] of node.entries) members.push(member);
    else node.slots.forEach(visit);
  };
  visit(room.members.root);
  return members.sort(byJoining);
}

/** A direct room's name is the other person's, which the query side fills in; here it stays empty. */
export function roomViewOf(room: ActiveRoom): RoomView {
  return {
    id: room.roomId,
    kind: room.kind,
    name: room.name,
    topic: room.topic,
    announcement: room.announcement,
    createdAt: room.createdAt,
    members: membersOf(room).map(({ userId, role, joinedAt }) => ({ userId, role, joinedAt })),
    pinned: [...room.pinned],
  };
}

/** A deleted message keeps neither its text nor its reactions, as in the history. */
export function messageViewOf(room: FoldedRoom, message: RoomMessage): MessageView {
  const facts = room.messageFacts.get(message.messageId);
  return {
    id: message.messageId,
    roomId: room.roomId,
    seq: message.seq,
    authorId: message.authorId,
    text: message.deleted ? '' : message.text,
    createdAt: facts?.createdAt ?? '',
    ...(facts?.editedAt ? { editedAt: facts.editedAt } : {}),
    deleted: message.deleted,
    ...(facts?.replyTo ? { replyTo: facts.replyTo } : {}),
    ...(message.forwardedFrom ? { forwardedFrom: { ...message.forwardedFrom } } : {}),
    reactions: message.deleted ? {} : Object.fromEntries(Object.entries(message.reactions).map(([emoji, userIds]) => [emoji, [...userIds]])),
    attachments: [],
  };
}
