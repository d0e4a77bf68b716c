// The rooms and messages both apps answer with (command-api after a write, query-api from the read
// models), as zod schemas: the one description of their shape, which the OpenAPI document is generated from.
import { roomRoles } from '@chat/domain';
import { z } from 'zod';
import type { MessageRecord } from './message-history-repository';

const isoTime = z.string().meta({ description: 'ISO-8601 UTC', example: '2026-03-01T10:00:00.000Z' });
const seq = z.number().int().min(0);

export const roomRoleSchema = z.enum(roomRoles).meta({ id: 'RoomRole', description: 'owner > admin > moderator > member' });

export const forwardOriginSchema = z
  .object({ roomId: z.string(), messageId: z.string(), authorId: z.string() })
  .meta({ id: 'ForwardOrigin', description: 'Where a forwarded message first came from' });

export const messageSchema = z
  .object({
    id: z.string(),
    roomId: z.string(),
    seq: seq.meta({ description: 'Its place in the room: 1, 2, 3… with no gaps' }),
    authorId: z.string(),
    text: z.string().meta({ description: 'Empty once deleted' }),
    createdAt: isoTime,
    editedAt: isoTime.optional(),
    deleted: z.boolean(),
    replyTo: z.string().optional().meta({ description: 'The id of the message replied to' }),
    forwardedFrom: forwardOriginSchema.optional(),
    reactions: z.record(z.string(), z.array(z.string())).meta({ description: 'Emoji → the users who reacted with it, in order' }),
    attachments: z.array(z.unknown()).meta({ description: 'Always empty until files are shared in rooms' }),
  })
  .meta({ id: 'Message' });

export const roomMemberSchema = z.object({ userId: z.string(), role: roomRoleSchema, joinedAt: isoTime }).meta({ id: 'RoomMember' });

export const roomSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['group', 'direct']),
    name: z.string().meta({ description: 'A direct room’s is the other person’s display name' }),
    topic: z.string(),
    announcement: z.string(),
    createdAt: isoTime,
    members: z.array(roomMemberSchema),
    pinned: z.array(z.string()).meta({ description: 'Pinned message ids, in the order they were pinned' }),
  })
  .meta({ id: 'Room' });

export const lastMessageSchema = z
  .object({
    id: z.string(),
    seq,
    authorId: z.string(),
    text: z.string().meta({ description: 'The first 200 characters; empty once deleted' }),
    createdAt: isoTime,
    edited: z.boolean(),
    deleted: z.boolean(),
  })
  .meta({ id: 'LastMessage' });

export const roomListItemSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['group', 'direct']),
    name: z.string().meta({ description: 'A direct room’s is the other person’s display name' }),
    topic: z.string(),
    peerId: z.string().optional().meta({ description: 'In a direct room, the other person' }),
    lastMessage: lastMessageSchema.nullable().meta({ description: 'Null before the first message, or once the caller cleared it' }),
    lastSeq: seq,
    unreadCount: z.number().int().min(0).meta({ description: 'Messages after lastReadSeq (and the caller’s history clear) by others, not deleted' }),
    lastReadSeq: seq,
    muted: z.boolean(),
    role: roomRoleSchema,
    lastActivityAt: isoTime.meta({ description: 'The later of the last message and the caller’s joining: the list’s order' }),
  })
  .meta({ id: 'RoomListItem' });

export const roomAnswerSchema = z.object({ room: roomSchema }).meta({ id: 'RoomAnswer' });
export const messageAnswerSchema = z.object({ message: messageSchema }).meta({ id: 'MessageAnswer' });
export const messagesAnswerSchema = z.object({ messages: z.array(messageSchema) }).meta({ id: 'Messages' });

export type MessageView = z.infer<typeof messageSchema>;
export type RoomView = z.infer<typeof roomSchema>;
export type RoomListItemView = z.infer<typeof roomListItemSchema>;

/** A message of the history read model as the API shows it. */
export function messageViewOf(record: MessageRecord): MessageView {
  return {
    id: record.messageId,
    roomId: record.roomId,
    seq: record.seq,
    authorId: record.authorId,
    text: record.text,
    createdAt: record.createdAt,
    ...(record.editedAt === null ? {} : { editedAt: record.editedAt }),
    deleted: record.deleted,
    ...(record.replyTo === null ? {} : { replyTo: record.replyTo }),
    ...(record.forwardedFrom === null ? {} : { forwardedFrom: record.forwardedFrom }),
    reactions: Object.fromEntries(Object.entries(record.reactions).map(([emoji, userIds]) => [emoji, [...userIds]])),
    attachments: [],
  };
}
