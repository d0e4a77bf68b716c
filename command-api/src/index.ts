export { CommandApiModule } from './command-api.module';
