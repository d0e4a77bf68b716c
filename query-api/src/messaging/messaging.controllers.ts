// The room and message read endpoints: parse, one query, map. Reads are eventually consistent: right
// after a command the read models may not have caught up (the command's own answer carries what it changed).
import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiError,
  ApiRoute,
  Authenticated,
  type AuthenticatedUser,
  CurrentUser,
  type MessageView,
  messagesAnswerSchema,
  parseWith,
  type RoomListItemView,
  roomSchema,
  type RoomView,
} from '@chat/platform';
import { MessagingQueries } from './messaging.queries';
import { historyQuery, roomListSchema, roomParams } from './messaging.schemas';

const tags = ['rooms'];
const roomNotFound = (roomId: string) => new ApiError('NOT_FOUND', `room ${roomId} not found`, { reason: 'ROOM_NOT_FOUND' });

@Controller('api/rooms')
@Authenticated()
export class RoomReadsController {
  constructor(private readonly queries: MessagingQueries) {}

  @Get()
  @ApiRoute({ summary: 'The caller’s rooms, most recent activity first', tags, auth: true, response: roomListSchema })
  list(@CurrentUser() caller: AuthenticatedUser): Promise<RoomListItemView[]> {
    return this.queries.rooms(caller.userId);
  }

  @Get(':id')
  @ApiRoute({ summary: 'A room with its members and pinned messages (members only)', tags, auth: true, params: roomParams, response: roomSchema, errors: ['NOT_FOUND'] })
  async room(@CurrentUser() caller: AuthenticatedUser, @Param() params: unknown): Promise<RoomView> {
    const { id } = parseWith(roomParams, params, 'The path');
    const room = await this.queries.room(caller.userId, id);
    if (!room) throw roomNotFound(id);
    return room;
  }

  @Get(':id/messages')
  @ApiRoute({
    summary: 'A page of the room’s messages, in seq order (members only)',
    description: 'Without a cursor, the latest page. `before` pages back, `after` forward. Messages the caller cleared are never in it.',
    tags,
    auth: true,
    params: roomParams,
    query: historyQuery,
    response: messagesAnswerSchema,
    errors: ['NOT_FOUND'],
  })
  async messages(@CurrentUser() caller: AuthenticatedUser, @Param() params: unknown, @Query() query: unknown): Promise<{ messages: MessageView[] }> {
    const { id } = parseWith(roomParams, params, 'The path');
    const messages = await this.queries.messages(caller.userId, id, parseWith(historyQuery, query, 'The query'));
    if (!messages) throw roomNotFound(id);
    return { messages };
  }
}
