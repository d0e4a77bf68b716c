// What the room and message commands accept, checked at the edge. The rules themselves (lengths,
// emoji, roles) are the domain's and are checked there; these schemas take the shapes and refuse the absurd.
import { clientMessageIdLength, messageTextLength, reactionEmojiLength, roomAnnouncementLength, roomNameLength, roomRoles, roomTopicLength } from '@chat/domain';
import { z } from 'zod';

/** UTF-16 units can be twice the code points the domain counts: the domain gives the precise answer. */
const atMost = (codePoints: number) => z.string().max(codePoints * 2 + 16);

const id = (what: string) => z.uuid().meta({ description: what });
export const MAX_INITIAL_MEMBERS = 500;
export const MAX_FORWARD_TARGETS = 20;

export const roomParams = z.object({ id: id('A room id') });
export const memberParams = roomParams.extend({ userId: id('A user id') });
export const messageParams = roomParams.extend({ messageId: id('A message id') });
export const reactionParams = messageParams.extend({
  emoji: z.string().min(1).max(reactionEmojiLength.max * 4).meta({ description: 'The emoji, URL-encoded' }),
});

export const createRoomBody = z
  .object({
    name: atMost(roomNameLength.max).meta({ description: `${roomNameLength.min}–${roomNameLength.max} characters` }),
    topic: atMost(roomTopicLength.max).optional(),
    memberIds: z.array(z.uuid()).max(MAX_INITIAL_MEMBERS).optional().meta({ description: 'Members besides the caller, who becomes the owner' }),
  })
  .meta({ id: 'CreateRoomRequest' });

export const directRoomBody = z.object({ userId: id('The other person') }).meta({ id: 'DirectRoomRequest' });

export const roomChangesBody = z
  .object({
    name: atMost(roomNameLength.max).optional(),
    topic: atMost(roomTopicLength.max).optional(),
    announcement: atMost(roomAnnouncementLength.max).optional(),
  })
  .strict()
  .meta({ id: 'RoomChanges' });

export const addMemberBody = z.object({ userId: id('The user to add') }).meta({ id: 'AddMemberRequest' });

export const roleBody = z.object({ role: z.enum(roomRoles) }).meta({ id: 'RoleChange', description: 'owner hands ownership over (owner only)' });

export const settingsBody = z.object({ muted: z.boolean() }).meta({ id: 'RoomSettings' });

export const sendMessageBody = z
  .object({
    clientMessageId: atMost(clientMessageIdLength.max).meta({ description: 'Chosen by the client, unique per author: the same one again returns the message already sent' }),
    text: atMost(messageTextLength.max),
    replyTo: z.uuid().optional().meta({ description: 'A message of this room the caller can see' }),
    attachmentIds: z.array(z.string()).max(0, { message: 'attachments are not supported yet' }).optional().meta({ description: 'Not supported yet: must be empty' }),
  })
  .meta({ id: 'SendMessageRequest' });

export const editMessageBody = z.object({ text: atMost(messageTextLength.max) }).meta({ id: 'EditMessageRequest' });

export const clearHistoryQuery = z.object({
  scope: z.enum(['me', 'everyone']).default('me').meta({ description: '`me` (the default) for the caller only; `everyone` for admins and the owner' }),
});

export const forwardBody = z
  .object({ roomIds: z.array(z.uuid()).min(1).max(MAX_FORWARD_TARGETS).meta({ description: 'Rooms to post a copy in; the caller must be a member of each' }) })
  .meta({ id: 'ForwardRequest' });

export const readBody = z.object({ seq: z.number().int().min(0).meta({ description: 'Everything up to this seq is read' }) }).meta({ id: 'MarkReadRequest' });
