// Identity's command endpoints: parse, call one handler, map the answer. The rules are the domain's,
// the orchestration the handlers'.
import { Body, Controller, Delete, HttpCode, Inject, Param, Patch, Post, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  accessTokensSchema,
  ApiRoute,
  Authenticated,
  type AuthenticatedUser,
  CurrentUser,
  parseWith,
  profileSchema,
  type PublicProfile,
  type SessionTokens,
  type SignedIn,
  signedInSchema,
} from '@chat/platform';
import { IdentityHandlers } from './identity.handlers';
import { blockParams, logInBody, passwordChangeBody, profileChangesBody, refreshBody, registerBody, sessionParams } from './identity.schemas';
import { requestOrigin } from './request-origin';

export const TRUSTED_PROXY_HOPS = Symbol('TRUSTED_PROXY_HOPS');

@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly handlers: IdentityHandlers,
    @Inject(TRUSTED_PROXY_HOPS) private readonly trustedProxyHops: number,
  ) {}

  @Post('register')
  @ApiRoute({ summary: 'Create an account and log in', tags: ['identity'], body: registerBody, response: signedInSchema, status: 201, errors: ['CONFLICT', 'RATE_LIMITED'] })
  register(@Body() body: unknown, @Req() request: FastifyRequest): Promise<SignedIn> {
    return this.handlers.register(parseWith(registerBody, body, 'The body'), requestOrigin(request, this.trustedProxyHops));
  }

  @Post('login')
  @HttpCode(200)
  @ApiRoute({ summary: 'Log in: a new session', tags: ['identity'], body: logInBody, response: signedInSchema, errors: ['UNAUTHENTICATED', 'RATE_LIMITED'] })
  logIn(@Body() body: unknown, @Req() request: FastifyRequest): Promise<SignedIn> {
    return this.handlers.logIn(parseWith(logInBody, body, 'The body'), requestOrigin(request, this.trustedProxyHops));
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Swap a refresh token for new tokens',
    description: 'Each refresh token works once. Presenting a used one ends its session (401).',
    tags: ['identity'],
    body: refreshBody,
    response: accessTokensSchema,
    errors: ['UNAUTHENTICATED', 'RATE_LIMITED'],
  })
  refresh(@Body() body: unknown, @Req() request: FastifyRequest): Promise<SessionTokens> {
    return this.handlers.refresh(parseWith(refreshBody, body, 'The body').refreshToken, requestOrigin(request, this.trustedProxyHops));
  }

  @Post('logout')
  @HttpCode(204)
  @Authenticated()
  @ApiRoute({ summary: 'End the caller’s session', tags: ['identity'], auth: true })
  async logOut(@CurrentUser() caller: AuthenticatedUser, @Req() request: FastifyRequest): Promise<void> {
    await this.handlers.logOut(caller, requestOrigin(request, this.trustedProxyHops));
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @Authenticated()
  @ApiRoute({ summary: 'End one of the caller’s sessions', tags: ['identity'], auth: true, params: sessionParams, errors: ['NOT_FOUND'] })
  async revokeSession(@CurrentUser() caller: AuthenticatedUser, @Param() params: unknown, @Req() request: FastifyRequest): Promise<void> {
    await this.handlers.revokeSession(caller, parseWith(sessionParams, params, 'The path').id, requestOrigin(request, this.trustedProxyHops));
  }
}

@Controller('api/users/me')
@Authenticated()
export class OwnAccountController {
  constructor(
    private readonly handlers: IdentityHandlers,
    @Inject(TRUSTED_PROXY_HOPS) private readonly trustedProxyHops: number,
  ) {}

  @Patch()
  @ApiRoute({ summary: 'Change the caller’s profile', tags: ['identity'], auth: true, body: profileChangesBody, response: profileSchema })
  updateProfile(@CurrentUser() caller: AuthenticatedUser, @Body() body: unknown, @Req() request: FastifyRequest): Promise<PublicProfile> {
    return this.handlers.updateProfile(caller, parseWith(profileChangesBody, body, 'The body'), requestOrigin(request, this.trustedProxyHops));
  }

  @Put('password')
  @HttpCode(204)
  @ApiRoute({
    summary: 'Change the caller’s password',
    description: 'Every other session of the caller ends.',
    tags: ['identity'],
    auth: true,
    body: passwordChangeBody,
    errors: ['FORBIDDEN', 'RATE_LIMITED'],
  })
  async changePassword(@CurrentUser() caller: AuthenticatedUser, @Body() body: unknown, @Req() request: FastifyRequest): Promise<void> {
    await this.handlers.changePassword(caller, parseWith(passwordChangeBody, body, 'The body'), requestOrigin(request, this.trustedProxyHops));
  }

  @Put('blocks/:userId')
  @HttpCode(204)
  @ApiRoute({ summary: 'Block a user', tags: ['identity'], auth: true, params: blockParams, errors: ['NOT_FOUND'] })
  async block(@CurrentUser() caller: AuthenticatedUser, @Param() params: unknown, @Req() request: FastifyRequest): Promise<void> {
    await this.handlers.block(caller, parseWith(blockParams, params, 'The path').userId, requestOrigin(request, this.trustedProxyHops));
  }

  @Delete('blocks/:userId')
  @HttpCode(204)
  @ApiRoute({ summary: 'Unblock a user', tags: ['identity'], auth: true, params: blockParams })
  async unblock(@CurrentUser() caller: AuthenticatedUser, @Param() params: unknown, @Req() request: FastifyRequest): Promise<void> {
    await this.handlers.unblock(caller, parseWith(blockParams, params, 'The path').userId, requestOrigin(request, this.trustedProxyHops));
  }
}
