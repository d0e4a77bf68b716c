export { CommandApiModule, type CommandApiOptions } from './command-api.module';
