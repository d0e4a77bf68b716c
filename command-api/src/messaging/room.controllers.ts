// The room and message command endpoints: parse, call one handler, map the answer. The rules are the
// domain's, the orchestration the handlers'.
import { Body, Controller, Delete, HttpCode, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiRoute,
  Authenticated,
  type AuthenticatedUser,
  CurrentUser,
  type MessageView,
  messageAnswerSchema,
  messagesAnswerSchema,
  parseWith,
  roomAnswerSchema,
  type RoomView,
} from '@chat/platform';
import { type RoomCaller, RoomHandlers } from './room.handlers';
import {
  addMemberBody,
  clearHistoryQuery,
  createRoomBody,
  directRoomBody,
  editMessageBody,
  forwardBody,
  memberParams,
  messageParams,
  reactionParams,
  readBody,
  roleBody,
  roomChangesBody,
  roomParams,
  sendMessageBody,
  settingsBody,
} from './room.schemas';

const tags = ['rooms'];
/** A room the caller is not a member of answers as if it did not exist. */
const ROOM_ERRORS = ['NOT_FOUND', 'FORBIDDEN', 'CONFLICT'] as const;

function callerOf(user: AuthenticatedUser, request: FastifyRequest): RoomCaller {
  return { userId: user.userId, requestId: request.id };
}

@Controller('api/rooms')
@Authenticated()
export class RoomsController {
  constructor(private readonly handlers: RoomHandlers) {}

  @Post()
  @ApiRoute({ summary: 'Create a group room; the caller is its owner', tags, auth: true, body: createRoomBody, response: roomAnswerSchema, status: 201, errors: ['NOT_FOUND'] })
  async create(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown, @Req() request: FastifyRequest): Promise<{ room: RoomView }> {
    return { room: await this.handlers.createGroupRoom(callerOf(user, request), parseWith(createRoomBody, body, 'The body')) };
  }

  @Post('direct')
  @ApiRoute({
    summary: 'Open the caller’s direct room with someone: 201 the first time, 200 afterwards (the same room)',
    tags,
    auth: true,
    body: directRoomBody,
    response: roomAnswerSchema,
    status: 201,
    otherResponses: { 200: { description: 'The pair’s direct room already existed', schema: roomAnswerSchema } },
    errors: ['NOT_FOUND', 'FORBIDDEN'],
  })
  async openDirect(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { room, created } = await this.handlers.openDirectRoom(callerOf(user, request), parseWith(directRoomBody, body, 'The body').userId);
    await reply.code(created ? 201 : 200).send({ room });
  }

  @Patch(':id')
  @ApiRoute({ summary: 'Change the room’s name, topic or announcement (admins and the owner)', tags, auth: true, params: roomParams, body: roomChangesBody, response: roomAnswerSchema, errors: [...ROOM_ERRORS] })
  async update(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown, @Req() request: FastifyRequest): Promise<{ room: RoomView }> {
    const { id } = parseWith(roomParams, params, 'The path');
    return { room: await this.handlers.updateRoom(callerOf(user, request), id, parseWith(roomChangesBody, body, 'The body')) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiRoute({ summary: 'Delete the room (the owner)', tags, auth: true, params: roomParams, errors: [...ROOM_ERRORS] })
  async remove(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Req() request: FastifyRequest): Promise<void> {
    await this.handlers.deleteRoom(callerOf(user, request), parseWith(roomParams, params, 'The path').id);
  }

  @Post(':id/members')
  @HttpCode(204)
  @ApiRoute({ summary: 'Add a member (admins and the owner)', tags, auth: true, params: roomParams, body: addMemberBody, errors: [...ROOM_ERRORS] })
  async addMember(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown, @Req() request: FastifyRequest): Promise<void> {
    const { id } = parseWith(roomParams, params, 'The path');
    await this.handlers.addMember(callerOf(user, request), id, parseWith(addMemberBody, body, 'The body').userId);
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @ApiRoute({
    summary: 'Remove a member (admins, of members below them), or leave (anyone, themselves)',
    description: 'The owner hands ownership over before leaving; an owner alone in the room deletes it by leaving.',
    tags,
    auth: true,
    params: memberParams,
    errors: [...ROOM_ERRORS],
  })
  async removeMember(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Req() request: FastifyRequest): Promise<void> {
    const { id, userId } = parseWith(memberParams, params, 'The path');
    await this.handlers.removeMember(callerOf(user, request), id, userId);
  }

  @Put(':id/members/:userId/role')
  @HttpCode(204)
  @ApiRoute({
    summary: 'Change a member’s role: only to a role below the caller’s own; ownership transfer is the owner’s',
    tags,
    auth: true,
    params: memberParams,
    body: roleBody,
    errors: [...ROOM_ERRORS],
  })
  async changeRole(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown, @Req() request: FastifyRequest): Promise<void> {
    const { id, userId } = parseWith(memberParams, params, 'The path');
    await this.handlers.changeMemberRole(callerOf(user, request), id, userId, parseWith(roleBody, body, 'The body').role);
  }

  @Put(':id/settings/me')
  @HttpCode(204)
  @ApiRoute({ summary: 'Mute or unmute the room’s notifications for the caller', tags, auth: true, params: roomParams, body: settingsBody, errors: ['NOT_FOUND'] })
  async settings(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown, @Req() request: FastifyRequest): Promise<void> {
    const { id } = parseWith(roomParams, params, 'The path');
    await this.handlers.setNotificationsMuted(callerOf(user, request), id, parseWith(settingsBody, body, 'The body').muted);
  }

  @Put(':id/pins/:messageId')
  @HttpCode(204)
  @ApiRoute({ summary: 'Pin a message (moderators and above)', tags, auth: true, params: messageParams, errors: [...ROOM_ERRORS] })
  async pin(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Req() request: FastifyRequest): Promise<void> {
    const { id, messageId } = parseWith(messageParams, params, 'The path');
    await this.handlers.setPinned(callerOf(user, request), id, messageId, true);
  }

  @Delete(':id/pins/:messageId')
  @HttpCode(204)
  @ApiRoute({ summary: 'Unpin a message (moderators and above)', tags, auth: true, params: messageParams, errors: [...ROOM_ERRORS] })
  async unpin(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Req() request: FastifyRequest): Promise<void> {
    const { id, messageId } = parseWith(messageParams, params, 'The path');
    await this.handlers.setPinned(callerOf(user, request), id, messageId, false);
  }

  @Post(':id/read')
  @HttpCode(204)
  @ApiRoute({ summary: 'Mark everything up to `seq` read', tags, auth: true, params: roomParams, body: readBody, errors: ['NOT_FOUND'] })
  async markRead(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown, @Req() request: FastifyRequest): Promise<void> {
    const { id } = parseWith(roomParams, params, 'The path');
    await this.handlers.markRead(callerOf(user, request), id, parseWith(readBody, body, 'The body').seq);
  }
}

@Controller('api/rooms/:id/messages')
@Authenticated()
export class MessagesController {
  constructor(private readonly handlers: RoomHandlers) {}

  @Post()
  @ApiRoute({
    summary: 'Send a message',
    description: 'Idempotent: the same `clientMessageId` from the same user answers the message already sent (201 again, the same message), never a second one.',
    tags,
    auth: true,
    params: roomParams,
    body: sendMessageBody,
    response: messageAnswerSchema,
    status: 201,
    errors: [...ROOM_ERRORS],
  })
  async send(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown, @Req() request: FastifyRequest): Promise<{ message: MessageView }> {
    const { id } = parseWith(roomParams, params, 'The path');
    const { attachmentIds: _none, ...message } = parseWith(sendMessageBody, body, 'The body');
    return { message: await this.handlers.sendMessage(callerOf(user, request), id, message) };
  }

  @Delete()
  @HttpCode(204)
  @ApiRoute({
    summary: 'Clear the history: for the caller (`scope=me`), or for everyone (`scope=everyone`, admins and the owner)',
    description: 'Cleared messages never come back in the reads of those they were cleared for.',
    tags,
    auth: true,
    params: roomParams,
    query: clearHistoryQuery,
    errors: [...ROOM_ERRORS],
  })
  async clear(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Query() query: unknown, @Req() request: FastifyRequest): Promise<void> {
    const { id } = parseWith(roomParams, params, 'The path');
    await this.handlers.clearHistory(callerOf(user, request), id, parseWith(clearHistoryQuery, query, 'The query').scope);
  }

  @Patch(':messageId')
  @ApiRoute({ summary: 'Edit a message (its author)', tags, auth: true, params: messageParams, body: editMessageBody, response: messageAnswerSchema, errors: [...ROOM_ERRORS] })
  async edit(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown, @Req() request: FastifyRequest): Promise<{ message: MessageView }> {
    const { id, messageId } = parseWith(messageParams, params, 'The path');
    return { message: await this.handlers.editMessage(callerOf(user, request), id, messageId, parseWith(editMessageBody, body, 'The body').text) };
  }

  @Delete(':messageId')
  @HttpCode(204)
  @ApiRoute({ summary: 'Delete a message (its author, or moderators and above)', tags, auth: true, params: messageParams, errors: [...ROOM_ERRORS] })
  async remove(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Req() request: FastifyRequest): Promise<void> {
    const { id, messageId } = parseWith(messageParams, params, 'The path');
    await this.handlers.deleteMessage(callerOf(user, request), id, messageId);
  }

  @Post(':messageId/forward')
  @ApiRoute({
    summary: 'Forward a message to other rooms (the caller must be a member of the source and of every target)',
    description: 'Posts one copy per target room, in the order given; a message forwarded to a room is there once (forwarding it there again answers that copy).',
    tags,
    auth: true,
    params: messageParams,
    body: forwardBody,
    response: messagesAnswerSchema,
    status: 201,
    errors: [...ROOM_ERRORS],
  })
  async forward(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Body() body: unknown, @Req() request: FastifyRequest): Promise<{ messages: MessageView[] }> {
    const { id, messageId } = parseWith(messageParams, params, 'The path');
    return { messages: await this.handlers.forwardMessage(callerOf(user, request), id, messageId, parseWith(forwardBody, body, 'The body').roomIds) };
  }

  @Put(':messageId/reactions/:emoji')
  @HttpCode(204)
  @ApiRoute({ summary: 'React to a message with an emoji (one reaction per user per emoji)', tags, auth: true, params: reactionParams, errors: [...ROOM_ERRORS] })
  async react(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Req() request: FastifyRequest): Promise<void> {
    const { id, messageId, emoji } = parseWith(reactionParams, params, 'The path');
    await this.handlers.setReaction(callerOf(user, request), id, messageId, emoji, true);
  }

  @Delete(':messageId/reactions/:emoji')
  @HttpCode(204)
  @ApiRoute({ summary: 'Take back a reaction', tags, auth: true, params: reactionParams, errors: [...ROOM_ERRORS] })
  async unreact(@CurrentUser() user: AuthenticatedUser, @Param() params: unknown, @Req() request: FastifyRequest): Promise<void> {
    const { id, messageId, emoji } = parseWith(reactionParams, params, 'The path');
    await this.handlers.setReaction(callerOf(user, request), id, messageId, emoji, false);
  }
}
