import { describe, expect, it } from 'vitest';
import { lastSeenLine, presenceLine, timeOf } from './format';

describe('presence in words', () => {
  const now = new Date(2026, 10, 26, 15, 0);
  const at = (date: Date) => date.toISOString();

  it('says when an offline person was last seen: today, yesterday, or the day', () => {
    const today = new Date(2026, 10, 26, 9, 30);
    expect(lastSeenLine(at(today), now)).toBe(`last seen today at ${timeOf(at(today))}`);
    const yesterday = new Date(2026, 10, 25, 23, 5);
    expect(lastSeenLine(at(yesterday), now)).toBe(`last seen yesterday at ${timeOf(at(yesterday))}`);
    expect(lastSeenLine(at(new Date(2026, 2, 3, 12)), now)).toMatch(/^last seen .*3/);
    expect(lastSeenLine(at(new Date(2025, 2, 3, 12)), now)).toMatch(/2025/);
  });

  it('says online, last seen, or only offline for someone never seen', () => {
    expect(presenceLine({ online: true, lastSeenAt: '2026-11-26T09:30:00.000Z' })).toBe('online');
    expect(presenceLine({ online: false, lastSeenAt: new Date().toISOString() })).toMatch(/^last seen today at /);
    expect(presenceLine({ online: false, lastSeenAt: null })).toBe('offline');
  });
});
