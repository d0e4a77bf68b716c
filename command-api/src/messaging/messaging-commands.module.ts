// command-api's Rooms and Messages feature: its controllers, and the handlers built on the stores Infrastructure opens.
import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule, type Infrastructure } from '@chat/platform';
import { MessagesController, RoomsController } from './room.controllers';
import { RoomHandlers } from './room.handlers';
import { RegisteredPeople } from './room-people';

@Module({})
export class MessagingCommandsModule {
  static register(infrastructure: Infrastructure): DynamicModule {
    return {
      module: MessagingCommandsModule,
      imports: [AuthModule.register(infrastructure)],
      controllers: [RoomsController, MessagesController],
      providers: [
        {
          provide: RoomHandlers,
          useFactory: async () => {
            const eventStore = await infrastructure.eventStore();
            return new RoomHandlers({ eventStore, people: new RegisteredPeople(eventStore, () => infrastructure.userViews()) });
          },
        },
      ],
    };
  }
}
