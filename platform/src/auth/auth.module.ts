// The Nest side of authentication, shared by every app: `@Authenticated()` on a route (or controller)
// runs `AccessTokenGuard`, and `@CurrentUser()` hands the verified caller to the handler. A feature
// module imports `AuthModule.register(infrastructure)` to make the guard resolvable in it.
import {
  applyDecorators,
  type CanActivate,
  Controller,
  createParamDecorator,
  type DynamicModule,
  type ExecutionContext,
  Get,
  Injectable,
  Module,
  UseGuards,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../http/api-error';
import { ApiRoute } from '../http/openapi';
import type { Infrastructure } from '../wiring/infrastructure';
import { AccessTokenVerifier, type AuthenticatedUser } from './access-tokens';
import { loadPublicKeySet } from './jwt-keys';
import { SessionRegistry } from './session-registry';

const BEARER = /^Bearer ([A-Za-z0-9_.~+/=-]+)$/i;

/** Verifies the token and that its session is still live: the whole question "who is calling?". */
@Injectable()
export class AccessTokenAuthenticator {
  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly sessions: SessionRegistry,
  ) {}

  async authenticate(authorization: string | undefined): Promise<AuthenticatedUser> {
    const token = authorization === undefined ? undefined : BEARER.exec(authorization.trim())?.[1];
    if (!token) throw ApiError.unauthenticated('Send the access token as Authorization: Bearer <accessToken>');
    const user = await this.verifier.verify(token);
    if (!(await this.sessions.isLive(user))) throw ApiError.unauthenticated('The session has ended or must be refreshed');
    return user;
  }
}

const AUTHENTICATED_USER = Symbol('authenticated user');
type AuthenticatedRequest = FastifyRequest & { [AUTHENTICATED_USER]?: AuthenticatedUser };

@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(private readonly authenticator: AccessTokenAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request[AUTHENTICATED_USER] = await this.authenticator.authenticate(request.headers.authorization);
    return true;
  }
}

/** The route needs a valid access token of a live session; declare `auth: true` in its `@ApiRoute` too. */
export const Authenticated = (): MethodDecorator & ClassDecorator => applyDecorators(UseGuards(AccessTokenGuard));

/** The caller of an `@Authenticated()` route. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<AuthenticatedRequest>()[AUTHENTICATED_USER];
  // Only reachable when a route forgot `@Authenticated()`: a programming error, not the caller's.
  if (!user) throw new Error('@CurrentUser() used on a route without @Authenticated()');
  return user;
});

const jwksSchema = z
  .object({ keys: z.array(z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string(), alg: z.literal('EdDSA'), use: z.literal('sig') })) })
  .meta({ id: 'JsonWebKeySet' });

/** Extension to the contract: the public keys access tokens are signed with, for services that verify them. */
@Controller('api/auth/jwks')
export class JwksController {
  constructor(private readonly verifier: AccessTokenVerifier) {}

  @Get()
  @ApiRoute({ summary: 'The public keys that verify access tokens (JWK set)', tags: ['identity'], response: jwksSchema })
  keys(): z.infer<typeof jwksSchema> {
    return this.verifier.publicKeys as z.infer<typeof jwksSchema>;
  }
}

@Module({})
export class AuthModule {
  private static readonly registered = new WeakMap<Infrastructure, DynamicModule>();

  /** One module per Infrastructure, so two feature modules of one app share its providers. */
  static register(infrastructure: Infrastructure): DynamicModule {
    let module = AuthModule.registered.get(infrastructure);
    if (!module) {
      module = {
        module: AuthModule,
        providers: [
          { provide: AccessTokenVerifier, useFactory: async () => new AccessTokenVerifier(await loadPublicKeySet(infrastructure.config.auth.keys)) },
          { provide: SessionRegistry, useFactory: async () => new SessionRegistry(await infrastructure.keyValue()) },
          AccessTokenAuthenticator,
          AccessTokenGuard,
        ],
        exports: [AccessTokenVerifier, SessionRegistry, AccessTokenAuthenticator, AccessTokenGuard],
      };
      AuthModule.registered.set(infrastructure, module);
    }
    return module;
  }
}
