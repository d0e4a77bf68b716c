export { QueryApiModule, type QueryApiOptions } from './query-api.module';
