export { CommandApiModule, type CommandApiOptions } from './command-api.module';
export { PresenceConsumer, type PresenceConsumerOptions } from './identity/presence-consumer';
