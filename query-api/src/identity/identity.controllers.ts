// Identity's read endpoints: parse, one query, map. Reads are eventually consistent: right after a
// command the read models may not have caught up (the command's own answer carries what it changed).
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiError, ApiRoute, Authenticated, type AuthenticatedUser, CurrentUser, parseWith, profileSchema, type PublicProfile, publicProfileSchema } from '@chat/platform';
import { type ActivityItem, IdentityQueries, type SessionItem } from './identity.queries';
import { activityQuery, activitySchema, publicProfilesSchema, sessionsSchema, userParams, userSearchQuery } from './identity.schemas';

@Controller('api/users')
@Authenticated()
export class UsersController {
  constructor(private readonly queries: IdentityQueries) {}

  @Get()
  @ApiRoute({ summary: 'Find users by the start of their username or display name', tags: ['identity'], auth: true, query: userSearchQuery, response: publicProfilesSchema })
  search(@Query() query: unknown): Promise<PublicProfile[]> {
    const { query: prefix, limit } = parseWith(userSearchQuery, query, 'The query');
    return this.queries.search(prefix, limit);
  }

  @Get('me')
  @ApiRoute({ summary: 'The caller’s profile', tags: ['identity'], auth: true, response: profileSchema, errors: ['NOT_FOUND'] })
  me(@CurrentUser() caller: AuthenticatedUser): Promise<PublicProfile> {
    return this.found(caller.userId);
  }

  @Get('me/activity')
  @ApiRoute({ summary: 'The caller’s activity log, newest first', tags: ['identity'], auth: true, query: activityQuery, response: activitySchema })
  activity(@CurrentUser() caller: AuthenticatedUser, @Query() query: unknown): Promise<ActivityItem[]> {
    const { before, limit } = parseWith(activityQuery, query, 'The query');
    const cursor = before === undefined ? undefined : /^\d+$/.test(before) ? { position: Number(before) } : { at: new Date(before).toISOString() };
    return this.queries.activity(caller.userId, { limit, ...(cursor ? { before: cursor } : {}) });
  }

  @Get('me/blocks')
  @ApiRoute({ summary: 'The users the caller blocks', tags: ['identity'], auth: true, response: publicProfilesSchema })
  blocks(@CurrentUser() caller: AuthenticatedUser): Promise<PublicProfile[]> {
    return this.queries.blockedUsers(caller.userId);
  }

  @Get(':id')
  @ApiRoute({ summary: 'A user’s public profile', tags: ['identity'], auth: true, params: userParams, response: publicProfileSchema, errors: ['NOT_FOUND'] })
  profile(@Param() params: unknown): Promise<PublicProfile> {
    return this.found(parseWith(userParams, params, 'The path').id);
  }

  private async found(userId: string): Promise<PublicProfile> {
    const profile = await this.queries.profile(userId);
    if (!profile) throw ApiError.notFound(`user ${userId} not found`);
    return profile;
  }
}

@Controller('api/auth/sessions')
@Authenticated()
export class SessionsController {
  constructor(private readonly queries: IdentityQueries) {}

  @Get()
  @ApiRoute({ summary: 'The caller’s live sessions', tags: ['identity'], auth: true, response: sessionsSchema })
  list(@CurrentUser() caller: AuthenticatedUser): Promise<SessionItem[]> {
    return this.queries.sessions(caller.userId, caller.sessionId, new Date());
  }
}
