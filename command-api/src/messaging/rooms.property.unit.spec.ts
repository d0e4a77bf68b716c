// Unread counts and histories from the read models equal the domain's fold of the log, on SQLite.
import { checkRoomsProperty, propertyWorld, type PropertyWorld } from './testing/rooms-property';

describe('rooms read models on SQLite', () => {
  let world: PropertyWorld;
  beforeAll(() => {
    world = propertyWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  it('show every member the unread counts and histories the domain computes from the log', async () => {
    await checkRoomsProperty(world, { numRuns: 150 });
  }, 60_000);
});
