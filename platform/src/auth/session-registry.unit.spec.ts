import { InProcessKeyValueStore } from '../key-value/in-process-key-value-store';
import { SessionRegistry } from './session-registry';

describe('SessionRegistry', () => {
  let now = 0;
  const store = new InProcessKeyValueStore({ now: () => now });
  const sessions = new SessionRegistry(store);
  const laptop = { userId: 'user-1', sessionId: 'session-laptop' };
  afterAll(() => store.close());

  it('knows no session it was not told about: a lost store fails closed', async () => {
    expect(await sessions.isLive({ userId: 'user-1', sessionId: 'session-unknown' })).toBe(false);
  });

  it('lets a live session through until it is revoked, then never again', async () => {
    await sessions.markLive(laptop);
    expect(await sessions.isLive(laptop)).toBe(true);
    expect(await sessions.isLive({ ...laptop, userId: 'user-2' })).toBe(false);
    await sessions.markRevoked([laptop.sessionId]);
    expect(await sessions.isLive(laptop)).toBe(false);
    // A refresh that raced the revocation and lands after it cannot bring the session back.
    await sessions.markLive(laptop);
    expect(await sessions.isLive(laptop)).toBe(false);
  });

  it('forgets a session that stopped refreshing once its last access token has expired', async () => {
    const phone = { userId: 'user-1', sessionId: 'session-phone' };
    await sessions.markLive(phone);
    now += 16 * 60 * 1000 + 1;
    expect(await sessions.isLive(phone)).toBe(false);
  });
  it('tells which of several sessions are live with one read of the store, in the order asked', async () => {
    const phone = { userId: 'user-1', sessionId: 'session-phone' };
    const other = { userId: 'user-2', sessionId: 'session-other' };
    await sessions.markLive(laptop);
    await sessions.markLive(phone);
    await sessions.markLive(other);
    await sessions.markRevoked([phone.sessionId]);
    const getMany = jest.spyOn(store, 'getMany');

    expect(await sessions.whichAreLive([laptop, phone, { ...other, userId: 'user-3' }, other])).toEqual([true, false, false, true]);
    expect(getMany).toHaveBeenCalledTimes(1);
    expect(await sessions.whichAreLive([])).toEqual([]);
    getMany.mockRestore();
  });
});
