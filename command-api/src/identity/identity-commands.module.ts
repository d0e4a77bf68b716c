// command-api's Identity feature: its controllers, and the handlers built on the stores Infrastructure opens.
import { type DynamicModule, Module } from '@nestjs/common';
import { AccessTokenIssuer, AuthModule, type Infrastructure, loadSigningKey, SessionRegistry } from '@chat/platform';
import { AuthController, OwnAccountController, TRUSTED_PROXY_HOPS } from './identity.controllers';
import { IdentityHandlers } from './identity.handlers';
import { identityRateLimits } from './identity-rate-limits';
import { PasswordHasher } from './password-hasher';

@Module({})
export class IdentityCommandsModule {
  static register(infrastructure: Infrastructure): DynamicModule {
    const { auth } = infrastructure.config;
    return {
      module: IdentityCommandsModule,
      imports: [AuthModule.register(infrastructure)],
      controllers: [AuthController, OwnAccountController],
      providers: [
        { provide: TRUSTED_PROXY_HOPS, useValue: auth.trustedProxyHops },
        {
          provide: IdentityHandlers,
          inject: [SessionRegistry],
          useFactory: async (sessions: SessionRegistry) =>
            new IdentityHandlers({
              eventStore: await infrastructure.eventStore(),
              passwords: await PasswordHasher.create(),
              accessTokens: new AccessTokenIssuer(await loadSigningKey(auth.keys)),
              sessions,
              rateLimits: identityRateLimits(await infrastructure.rateLimits(), auth.rateLimits),
            }),
        },
      ],
    };
  }
}
