import { Controller, Get, Inject } from '@nestjs/common';
import { ApiRoute, type ClientConfig, clientConfigSchema } from '@chat/platform';

export const CLIENT_CONFIG = Symbol('CLIENT_CONFIG');

@Controller('api/config')
export class ConfigController {
  constructor(@Inject(CLIENT_CONFIG) private readonly clientConfig: ClientConfig) {}

  @Get()
  @ApiRoute({ summary: 'Where to connect and the limits the server enforces', tags: ['discovery'], response: clientConfigSchema })
  get(): ClientConfig {
    return this.clientConfig;
  }
}
