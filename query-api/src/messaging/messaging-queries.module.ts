// query-api's Rooms and Messages feature: the room list, room details and history from the rooms read model.
import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule, type Infrastructure } from '@chat/platform';
import { RoomReadsController } from './messaging.controllers';
import { MessagingQueries, PeopleNames } from './messaging.queries';

@Module({})
export class MessagingQueriesModule {
  static register(infrastructure: Infrastructure): DynamicModule {
    return {
      module: MessagingQueriesModule,
      imports: [AuthModule.register(infrastructure)],
      controllers: [RoomReadsController],
      providers: [
        {
          provide: MessagingQueries,
          useFactory: async () => new MessagingQueries(await infrastructure.documents(), new PeopleNames(() => infrastructure.userViews())),
        },
      ],
    };
  }
}
