import { userStreamId, userWentOfflineEventId } from './user.ids';

describe('userWentOfflineEventId', () => {
  it('is the same UUID for the same user and time, wherever it is derived', () => {
    const id = userWentOfflineEventId('user-alice', '2026-03-01T10:00:00.000Z');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(userWentOfflineEventId('user-alice', '2026-03-01T10:00:00.000Z')).toBe(id);
  });

  it('differs for another time or another user', () => {
    const id = userWentOfflineEventId('user-alice', '2026-03-01T10:00:00.000Z');
    expect(userWentOfflineEventId('user-alice', '2026-03-01T10:00:00.001Z')).not.toBe(id);
    expect(userWentOfflineEventId('user-bob', '2026-03-01T10:00:00.000Z')).not.toBe(id);
  });
});

describe('userStreamId', () => {
  it('is user-<id>', () => {
    expect(userStreamId('42')).toBe('user-42');
  });
});
