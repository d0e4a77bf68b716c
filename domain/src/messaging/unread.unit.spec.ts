import fc from 'fast-check';
import { unreadCount } from './unread';

const reader = { userId: 'dave', lastReadSeq: 0, clearedUpToSeq: 0 };
const message = (seq: number, authorId = 'alice', deleted = false) => ({ seq, authorId, deleted });

describe('unreadCount', () => {
  it('counts the messages after the read marker', () => {
    expect(unreadCount([message(1), message(2), message(3)], { ...reader, lastReadSeq: 1 })).toBe(2);
  });

  it('leaves out the reader’s own messages', () => {
    expect(unreadCount([message(1), message(2, 'dave'), message(3)], reader)).toBe(2);
  });

  it('leaves out deleted messages', () => {
    expect(unreadCount([message(1), message(2, 'alice', true)], reader)).toBe(1);
  });

  it('leaves out messages the reader cleared from their history', () => {
    expect(unreadCount([message(1), message(2), message(3)], { ...reader, clearedUpToSeq: 2 })).toBe(1);
  });

  it('is never more than the messages after the read marker, nor less than zero', () => {
    fc.assert(fc.property(fc.array(fc.record({ seq: fc.nat(50), authorId: fc.constantFrom('alice', 'dave'), deleted: fc.boolean() })), fc.nat(50), fc.nat(50), (messages, lastReadSeq, clearedUpToSeq) => {
      const count = unreadCount(messages, { userId: 'dave', lastReadSeq, clearedUpToSeq });
      expect(count).toBeGreaterThanOrEqual(0);
      expect(count).toBeLessThanOrEqual(messages.filter(({ seq }) => seq > lastReadSeq).length);
    }));
  });
});
