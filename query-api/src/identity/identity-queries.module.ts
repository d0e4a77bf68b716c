// query-api's Identity feature: profiles, search, sessions, blocks and activity from the user views,
// whether users are online from the presence tracker, and the public keys that verify access tokens.
import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule, type Infrastructure, JwksController, PresenceTracker } from '@chat/platform';
import { SessionsController, UsersController } from './identity.controllers';
import { IdentityQueries } from './identity.queries';

@Module({})
export class IdentityQueriesModule {
  static register(infrastructure: Infrastructure): DynamicModule {
    return {
      module: IdentityQueriesModule,
      imports: [AuthModule.register(infrastructure)],
      controllers: [UsersController, SessionsController, JwksController],
      providers: [
        {
          provide: IdentityQueries,
          useFactory: async () => new IdentityQueries(await infrastructure.userViews(), new PresenceTracker(await infrastructure.keyValue())),
        },
      ],
    };
  }
}
