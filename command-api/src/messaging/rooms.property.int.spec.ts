// Unread counts and histories from the read models equal the domain's fold of the log, on MongoDB (FerretDB).
import { describeIntegration } from '@chat/platform';
import { checkRoomsProperty, propertyWorld, type PropertyWorld } from './testing/rooms-property';

describeIntegration('rooms read models', 'mongodb', (url) => {
  let world: PropertyWorld;
  beforeAll(() => {
    world = propertyWorld(url);
  });
  afterAll(async () => {
    await world.close();
  });

  it('show every member the unread counts and histories the domain computes from the log', async () => {
    await checkRoomsProperty(world, { numRuns: 25 });
  }, 60_000);
});
