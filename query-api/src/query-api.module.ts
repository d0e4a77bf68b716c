// query-api's routes: reads answered from the read models only, never from the event store. The
// service shell (health, metrics, docs) is imported once at the app's root, not here, so that the
// embedded app can hold this module and command-api's side by side.
import { type DynamicModule, Module } from '@nestjs/common';
import type { ClientConfig, Infrastructure } from '@chat/platform';
import { CLIENT_CONFIG, ConfigController } from './config/config.controller';
import { IdentityQueriesModule } from './identity/identity-queries.module';
import { MessagingQueriesModule } from './messaging/messaging-queries.module';

export interface QueryApiOptions {
  /** What `GET /api/config` answers; `clientConfigFromEnv()` reads it from the environment. */
  readonly clientConfig: ClientConfig;
  /** The read stores; shared with command-api's module in embedded mode. */
  readonly infrastructure: Infrastructure;
}

@Module({})
export class QueryApiModule {
  static register(options: QueryApiOptions): DynamicModule {
    return {
      module: QueryApiModule,
      imports: [IdentityQueriesModule.register(options.infrastructure), MessagingQueriesModule.register(options.infrastructure)],
      controllers: [ConfigController],
      providers: [{ provide: CLIENT_CONFIG, useValue: options.clientConfig }],
    };
  }
}
