// command-api's routes: each validates a command, has it decided and appended, and answers once
// the append is durable. The service shell (health, metrics, docs) is imported once at the app's
// root, not here, so that the embedded app can hold this module and query-api's side by side.
import { type DynamicModule, Module } from '@nestjs/common';
import type { Infrastructure } from '@chat/platform';
import { IdentityCommandsModule } from './identity/identity-commands.module';
import { MessagingCommandsModule } from './messaging/messaging-commands.module';

export interface CommandApiOptions {
  /** The stores the handlers write to and read from; shared with query-api's module in embedded mode. */
  readonly infrastructure: Infrastructure;
}

@Module({})
export class CommandApiModule {
  static register(options: CommandApiOptions): DynamicModule {
    return { module: CommandApiModule, imports: [IdentityCommandsModule.register(options.infrastructure), MessagingCommandsModule.register(options.infrastructure)] };
  }
}
