import { LatestPresence } from './presence';

describe('the latest presence change of each user', () => {
  const change = (userId: string, online: boolean, second: number) => ({ userId, online, lastSeenAt: `2026-11-26T00:00:${String(second).padStart(2, '0')}.000Z` });

  it('takes a change once, and never one older than the latest', () => {
    const latest = new LatestPresence();
    expect(latest.accept(change('ann', true, 1))).toBe(true);
    expect(latest.accept(change('ann', true, 1))).toBe(false);
    expect(latest.accept(change('ann', false, 0))).toBe(false);
    expect(latest.accept(change('ann', false, 2))).toBe(true);
    expect(latest.accept(change('bob', true, 0))).toBe(true);
  });

  it('says whether a change is still the latest of its user', () => {
    const latest = new LatestPresence();
    const online = change('ann', true, 1);
    latest.accept(online);
    expect(latest.isLatest(online)).toBe(true);
    latest.accept(change('ann', false, 2));
    expect(latest.isLatest(online)).toBe(false);
  });

  it('forgets a user after a while, so the table stays small', () => {
    let now = 0;
    const latest = new LatestPresence(1000, () => now);
    const online = change('ann', true, 1);
    latest.accept(online);
    now = 5000;
    latest.accept(change('bob', true, 1));
    expect(latest.isLatest(online)).toBe(false);
  });
});
