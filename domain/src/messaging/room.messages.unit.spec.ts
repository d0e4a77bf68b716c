import fc from 'fast-check';
import { fold, isDomainError } from '../shared/decider';
import { specification } from '../shared/given-when-then';
import { directRoomId, messageEventId } from './ids';
import { at, idOf, memberAdded, otherRoomId, people, roomId, sent, staffedRoom } from './room.fixtures';
import type { RoomEvent } from './room.events';
import { forwardSource, roomDecider } from './room.decider';
import { sentMessage } from './room.state';

const given = specification(roomDecider);
const { owner, admin, moderator, member, otherMember, outsider } = people;

const send = { type: 'SendMessage', roomId, actorId: member, clientMessageId: 'client-1', text: 'hello', blockedByOther: false, at } as const;

describe('SendMessage', () => {
  it('gives the first message seq 1 and derives its id from the author and client message id', () => {
    given(staffedRoom).when(send).then([
      { type: 'MessageSent', data: { roomId, messageId: messageEventId(member, 'client-1'), seq: 1, authorId: member, clientMessageId: 'client-1', text: 'hello', at } },
    ]);
  });

  it('gives each next message the next seq, whoever sends it', () => {
    given([...staffedRoom, sent(1, owner), sent(2, admin)]).when({ ...send, clientMessageId: 'client-3', text: 'message 3' }).then([sent(3, member)]);
  });

  it('returns the message already sent, with no new event, when the same author repeats a client message id', () => {
    given([...staffedRoom, sent(1, member), sent(2, owner)]).when(send).then([]);
  });

  it('lets the state answer a repeated send with the message already sent', () => {
    const state = fold(roomDecider, [...staffedRoom, sent(1, member), sent(2, owner)]);
    expect(sentMessage(state, member, 'client-1')).toMatchObject({ seq: 1, authorId: member, text: 'message 1' });
  });

  it('treats the same client message id from another author as a new message', () => {
    given([...staffedRoom, sent(1, owner)]).when(send).then([
      { type: 'MessageSent', data: { roomId, messageId: messageEventId(member, 'client-1'), seq: 2, authorId: member, clientMessageId: 'client-1', text: 'hello', at } },
    ]);
  });

  it('stores the text trimmed', () => {
    given(staffedRoom).when({ ...send, text: '  hello \n' }).then([sent(1, member, { text: 'hello' })]);
  });

  it('refuses a text that is only whitespace', () => {
    given(staffedRoom).when({ ...send, text: ' \n\t ' }).thenError({ code: 'VALIDATION_FAILED', details: [{ field: 'text', rule: 'min_length', limit: 1 }] });
  });

  it('accepts 4000 emoji, counting code points rather than UTF-16 units', () => {
    given(staffedRoom).when({ ...send, text: '😀'.repeat(4000) }).then([sent(1, member, { text: '😀'.repeat(4000) })]);
  });

  it('refuses 4001 code points', () => {
    given(staffedRoom).when({ ...send, text: '😀'.repeat(4001) }).thenError({ code: 'VALIDATION_FAILED', details: [{ field: 'text', rule: 'max_length', limit: 4000 }] });
  });

  it('refuses an empty client message id', () => {
    given(staffedRoom).when({ ...send, clientMessageId: '' }).thenError({ code: 'VALIDATION_FAILED', details: [{ field: 'clientMessageId', rule: 'min_length', limit: 1 }] });
  });

  it('replies to a message of the room', () => {
    const first = sent(1, owner);
    given([...staffedRoom, first]).when({ ...send, clientMessageId: 'client-2', text: 'message 2', replyTo: idOf(first) }).then([sent(2, member, { replyTo: idOf(first) })]);
  });

  it('refuses a reply to a message that is not in the room', () => {
    given([...staffedRoom, sent(1, owner)]).when({ ...send, replyTo: 'f00d0000-0000-4000-8000-000000000000' }).thenError({ code: 'MESSAGE_NOT_FOUND' });
  });

  it('refuses a reply to a deleted message', () => {
    const first = sent(1, owner);
    given([...staffedRoom, first, { type: 'MessageDeleted', data: { roomId, messageId: idOf(first), by: owner, at } }])
      .when({ ...send, replyTo: idOf(first) })
      .thenError({ code: 'MESSAGE_NOT_FOUND' });
  });

  it('refuses a reply to a message the sender cleared from their history', () => {
    const first = sent(1, owner);
    given([...staffedRoom, first, { type: 'RoomHistoryClearedForMember', data: { roomId, userId: member, upToSeq: 1, at } }])
      .when({ ...send, clientMessageId: 'client-2', replyTo: idOf(first) })
      .thenError({ code: 'MESSAGE_NOT_FOUND' });
  });

  it('ignores blocking in a group room', () => {
    given(staffedRoom).when({ ...send, blockedByOther: true }).then([sent(1, member, { text: 'hello' })]);
  });
});

describe('seq', () => {
  it('runs 1, 2, 3… with no gap and one message per author and client message id, however sends and retries interleave', () => {
    // The handler decides and appends one command at a time per room; a retry is the same command again.
    const attempt = fc.record({ actorId: fc.constantFrom(owner, admin, member, otherMember), clientMessageId: fc.constantFrom('a', 'b', 'c', 'd', 'e') });
    fc.assert(fc.property(fc.array(attempt, { maxLength: 40 }), (attempts) => {
      let state = fold(roomDecider, staffedRoom);
      const seqs: number[] = [];
      const seqOf = new Map<string, number>();
      for (const { actorId, clientMessageId } of attempts) {
        const events = roomDecider.decide({ ...send, actorId, clientMessageId }, state);
        if (isDomainError(events)) throw new Error(events.code);
        for (const event of events) {
          if (event.type === 'MessageSent') seqs.push(event.data.seq);
          state = roomDecider.evolve(state, event);
        }
        const key = `${actorId}/${clientMessageId}`;
        const seq = sentMessage(state, actorId, clientMessageId)?.seq;
        expect(seq).toBe(seqOf.get(key) ?? seqs.at(-1));
        seqOf.set(key, seq ?? 0);
      }
      expect(seqs).toEqual(Array.from({ length: seqOf.size }, (_, i) => i + 1));
    }));
  });

  it('is claimed by whichever of two racing sends appends first; the other, re-decided, takes the next', () => {
    const before = fold(roomDecider, [...staffedRoom, sent(1, owner)]);
    const fromMember = roomDecider.decide({ ...send, clientMessageId: 'client-2' }, before);
    const fromAdmin = roomDecider.decide({ ...send, actorId: admin, clientMessageId: 'client-2' }, before);
    expect([fromMember, fromAdmin]).toEqual([[sent(2, member, { text: 'hello' })], [sent(2, admin, { text: 'hello' })]]);
    // Both claim seq 2 from the same revision, so the store takes one; the loser decides again on the new state.
    given([...staffedRoom, sent(1, owner), sent(2, member, { text: 'hello' })]).when({ ...send, actorId: admin, clientMessageId: 'client-3' }).then([sent(3, admin, { text: 'hello' })]);
  });
});

describe('direct messages', () => {
  const directId = directRoomId(owner, member);
  const direct: RoomEvent[] = [{ type: 'DirectRoomCreated', data: { roomId: directId, memberIds: [owner, member], openedBy: owner, at } }];

  it('are sent between the two people', () => {
    given(direct).when({ ...send, roomId: directId }).then([sent(1, member, { room: directId, text: 'hello' })]);
  });

  it('are refused to someone the other person blocked', () => {
    given(direct).when({ ...send, roomId: directId, blockedByOther: true }).thenError({ kind: 'forbidden', code: 'BLOCKED' });
  });

  it('already sent before the block are returned again on a retry rather than refused', () => {
    given([...direct, sent(1, member, { room: directId })]).when({ ...send, roomId: directId, blockedByOther: true }).then([]);
  });

  it('cannot be pinned: both people are plain members', () => {
    const first = sent(1, owner, { room: directId });
    given([...direct, first]).when({ type: 'PinMessage', roomId: directId, actorId: member, messageId: idOf(first), at }).thenError({ code: 'FORBIDDEN' });
  });
});

describe('forwarding', () => {
  const original = sent(1, owner, { text: 'the plan' });
  const origin = { roomId, messageId: idOf(original), authorId: owner };
  const target: RoomEvent[] = [
    { type: 'GroupRoomCreated', data: { roomId: otherRoomId, name: 'Elsewhere', topic: '', ownerId: admin, at } },
    memberAdded(member, 0, otherRoomId),
    sent(1, admin, { room: otherRoomId }),
  ];
  const forward = { type: 'ForwardMessage', roomId: otherRoomId, actorId: member, clientMessageId: 'forward-1', source: { text: 'the plan', origin }, blockedByOther: false, at } as const;

  it('finds what to forward in a source room the caller belongs to', () => {
    expect(forwardSource(fold(roomDecider, [...staffedRoom, original]), roomId, member, idOf(original))).toEqual({ text: 'the plan', origin });
  });

  it('keeps the first origin when a forward is forwarded again', () => {
    const forwarded = sent(2, member, { forwardedFrom: { roomId: otherRoomId, messageId: 'first-message', authorId: admin } });
    expect(forwardSource(fold(roomDecider, [...staffedRoom, original, forwarded]), roomId, otherMember, idOf(forwarded))).toEqual({
      text: 'message 2', origin: { roomId: otherRoomId, messageId: 'first-message', authorId: admin },
    });
  });

  it('finds nothing for someone outside the source room', () => {
    expect(forwardSource(fold(roomDecider, [...staffedRoom, original]), roomId, outsider, idOf(original))).toMatchObject({ code: 'ROOM_NOT_FOUND' });
  });

  it('finds nothing for a deleted message', () => {
    const state = fold(roomDecider, [...staffedRoom, original, { type: 'MessageDeleted', data: { roomId, messageId: idOf(original), by: owner, at } }]);
    expect(forwardSource(state, roomId, member, idOf(original))).toMatchObject({ code: 'MESSAGE_NOT_FOUND' });
  });

  it('posts the copy in the target room with its next seq, keeping where it came from', () => {
    given(target).when(forward).then([
      { type: 'MessageSent', data: { roomId: otherRoomId, messageId: messageEventId(member, 'forward-1'), seq: 2, authorId: member, clientMessageId: 'forward-1', text: 'the plan', forwardedFrom: origin, at } },
    ]);
  });

  it('is idempotent on the client message id, like a send', () => {
    const state = fold(roomDecider, target);
    const events = roomDecider.decide(forward, state);
    if (isDomainError(events)) throw new Error(events.code);
    given([...target, ...events]).when(forward).then([]);
  });

  it('is refused into a room the caller does not belong to', () => {
    given(target).when({ ...forward, actorId: otherMember }).thenError({ code: 'ROOM_NOT_FOUND' });
  });

  it('cannot be edited afterwards, so the copy stays true to its origin', () => {
    const copy = sent(2, member, { room: otherRoomId, text: 'the plan', forwardedFrom: origin });
    given([...target, copy]).when({ type: 'EditMessage', roomId: otherRoomId, actorId: member, messageId: idOf(copy), text: 'not the plan', at }).thenError({ code: 'FORBIDDEN' });
  });
});

describe('EditMessage', () => {
  const mine = sent(1, member);
  const edit = { type: 'EditMessage', roomId, actorId: member, messageId: idOf(mine), text: ' fixed ', at } as const;

  it('lets the author change the text, trimmed', () => {
    given([...staffedRoom, mine]).when(edit).then([{ type: 'MessageEdited', data: { roomId, messageId: idOf(mine), text: 'fixed', at } }]);
  });

  it('does nothing when the text is unchanged', () => {
    given([...staffedRoom, mine]).when({ ...edit, text: 'message 1' }).then([]);
  });

  it('refuses anyone but the author, even the owner', () => {
    given([...staffedRoom, mine]).when({ ...edit, actorId: owner }).thenError({ code: 'FORBIDDEN' });
  });

  it('refuses a deleted message', () => {
    given([...staffedRoom, mine, { type: 'MessageDeleted', data: { roomId, messageId: idOf(mine), by: member, at } }]).when(edit).thenError({ code: 'MESSAGE_NOT_FOUND' });
  });

  it('refuses an empty text', () => {
    given([...staffedRoom, mine]).when({ ...edit, text: '' }).thenError({ code: 'VALIDATION_FAILED' });
  });
});

describe('DeleteMessage', () => {
  const mine = sent(1, member);
  const remove = (actorId: string) => ({ type: 'DeleteMessage', roomId, actorId, messageId: idOf(mine), at }) as const;

  it('lets the author delete their message', () => {
    given([...staffedRoom, mine]).when(remove(member)).then([{ type: 'MessageDeleted', data: { roomId, messageId: idOf(mine), by: member, at } }]);
  });

  it.each([['a moderator', moderator], ['an admin', admin], ['the owner', owner]])("lets %s delete someone else's message", (_, actorId) => {
    given([...staffedRoom, mine]).when(remove(actorId)).then([{ type: 'MessageDeleted', data: { roomId, messageId: idOf(mine), by: actorId, at } }]);
  });

  it("refuses a member deleting someone else's message", () => {
    given([...staffedRoom, mine]).when(remove(otherMember)).thenError({ code: 'FORBIDDEN' });
  });

  it('does nothing for a message already deleted', () => {
    given([...staffedRoom, mine, { type: 'MessageDeleted', data: { roomId, messageId: idOf(mine), by: member, at } }]).when(remove(member)).then([]);
  });

  it('refuses an unknown message', () => {
    given(staffedRoom).when(remove(member)).thenError({ kind: 'not_found', code: 'MESSAGE_NOT_FOUND' });
  });
});

describe('reactions', () => {
  const message = sent(1, owner);
  const react = { type: 'AddReaction', roomId, actorId: member, messageId: idOf(message), emoji: '👍', at } as const;
  const reacted: RoomEvent = { type: 'MessageReactionAdded', data: { roomId, messageId: idOf(message), emoji: '👍', userId: member, at } };

  it('are added by a member', () => {
    given([...staffedRoom, message]).when(react).then([reacted]);
  });

  it('are one per member per emoji: adding the same again does nothing', () => {
    given([...staffedRoom, message, reacted]).when(react).then([]);
  });

  it('with the same emoji from another member count separately', () => {
    given([...staffedRoom, message, reacted]).when({ ...react, actorId: otherMember }).then([{ ...reacted, data: { ...reacted.data, userId: otherMember } }]);
  });

  it('with a different emoji from the same member count separately', () => {
    given([...staffedRoom, message, reacted]).when({ ...react, emoji: '🎉' }).then([{ ...reacted, data: { ...reacted.data, emoji: '🎉' } }]);
  });

  it('are removed by the member', () => {
    given([...staffedRoom, message, reacted]).when({ ...react, type: 'RemoveReaction' }).then([{ ...reacted, type: 'MessageReactionRemoved' }]);
  });

  it('removed when absent do nothing', () => {
    given([...staffedRoom, message]).when({ ...react, type: 'RemoveReaction' }).then([]);
  });

  it('can be added again after being removed', () => {
    given([...staffedRoom, message, reacted, { ...reacted, type: 'MessageReactionRemoved' }]).when(react).then([reacted]);
  });

  it.each([
    ['a family joined by zero-width joiners (7 code points)', '👨‍👩‍👧‍👦'],
    ['a flag (2 code points)', '🇺🇦'],
    ['a skin-toned gesture', '👍🏽'],
    ['16 emoji of two UTF-16 units each, counted as 16 code points', '😀'.repeat(16)],
  ])('accept %s', (_, emoji) => {
    given([...staffedRoom, message]).when({ ...react, emoji }).then([{ ...reacted, data: { ...reacted.data, emoji } }]);
  });

  it.each([
    ['an empty emoji', '', 'min_length'],
    ['17 code points', '😀'.repeat(17), 'max_length'],
    ['a space', '👍 👍', 'whitespace'],
    ['a non-breaking space', '\u00a0', 'whitespace'],
  ])('refuse %s', (_, emoji, rule) => {
    given([...staffedRoom, message]).when({ ...react, emoji }).thenError({ code: 'VALIDATION_FAILED', details: expect.arrayContaining([expect.objectContaining({ field: 'emoji', rule })]) as unknown });
  });

  it('are refused on a deleted message', () => {
    given([...staffedRoom, message, { type: 'MessageDeleted', data: { roomId, messageId: idOf(message), by: owner, at } }]).when(react).thenError({ code: 'MESSAGE_NOT_FOUND' });
  });
});

describe('pins', () => {
  const message = sent(1, member);
  const pin = { type: 'PinMessage', roomId, actorId: moderator, messageId: idOf(message), at } as const;
  const pinned: RoomEvent = { type: 'MessagePinned', data: { roomId, messageId: idOf(message), by: moderator, at } };

  it.each([['a moderator', moderator], ['an admin', admin], ['the owner', owner]])('are set by %s', (_, actorId) => {
    given([...staffedRoom, message]).when({ ...pin, actorId }).then([{ ...pinned, data: { ...pinned.data, by: actorId } }]);
  });

  it('are refused to a member', () => {
    given([...staffedRoom, message]).when({ ...pin, actorId: member }).thenError({ code: 'FORBIDDEN' });
  });

  it('set twice record one pin', () => {
    given([...staffedRoom, message, pinned]).when(pin).then([]);
  });

  it('are removed by a moderator', () => {
    given([...staffedRoom, message, pinned]).when({ ...pin, type: 'UnpinMessage' }).then([{ ...pinned, type: 'MessageUnpinned' }]);
  });

  it('are not removed by a member', () => {
    given([...staffedRoom, message, pinned]).when({ ...pin, type: 'UnpinMessage', actorId: member }).thenError({ code: 'FORBIDDEN' });
  });

  it('removed when absent do nothing', () => {
    given([...staffedRoom, message]).when({ ...pin, type: 'UnpinMessage' }).then([]);
  });

  it('need a message that is in the room and not deleted', () => {
    given([...staffedRoom, message, { type: 'MessageDeleted', data: { roomId, messageId: idOf(message), by: member, at } }]).when(pin).thenError({ code: 'MESSAGE_NOT_FOUND' });
  });
});

describe('ClearHistory', () => {
  const history = [...staffedRoom, sent(1, owner), sent(2, member)];
  const clear = { type: 'ClearHistory', roomId, actorId: member, scope: 'me', at } as const;

  it('clears everything so far for the member only', () => {
    given(history).when(clear).then([{ type: 'RoomHistoryClearedForMember', data: { roomId, userId: member, upToSeq: 2, at } }]);
  });

  it('does nothing when nothing new arrived since the last clear', () => {
    given([...history, { type: 'RoomHistoryClearedForMember', data: { roomId, userId: member, upToSeq: 2, at } }]).when(clear).then([]);
  });

  it('hides cleared messages from the member who cleared them only', () => {
    const cleared = [...history, { type: 'RoomHistoryClearedForMember', data: { roomId, userId: member, upToSeq: 2, at } } as const];
    given(cleared).when({ type: 'AddReaction', roomId, actorId: member, messageId: idOf(sent(1, owner)), emoji: '👀', at }).thenError({ code: 'MESSAGE_NOT_FOUND' });
  });

  it('still shows them to everyone else', () => {
    const cleared = [...history, { type: 'RoomHistoryClearedForMember', data: { roomId, userId: member, upToSeq: 2, at } } as const];
    given(cleared).when({ type: 'AddReaction', roomId, actorId: otherMember, messageId: idOf(sent(1, owner)), emoji: '👀', at }).then([
      { type: 'MessageReactionAdded', data: { roomId, messageId: idOf(sent(1, owner)), emoji: '👀', userId: otherMember, at } },
    ]);
  });

  it.each([['an admin', admin], ['the owner', owner]])('lets %s clear it for everyone', (_, actorId) => {
    given(history).when({ ...clear, actorId, scope: 'everyone' }).then([{ type: 'RoomHistoryClearedForEveryone', data: { roomId, upToSeq: 2, by: actorId, at } }]);
  });

  it.each([['a moderator', moderator], ['a member', member]])('refuses %s clearing it for everyone', (_, actorId) => {
    given(history).when({ ...clear, actorId, scope: 'everyone' }).thenError({ code: 'FORBIDDEN' });
  });

  it('hides what was cleared for everyone from every member', () => {
    given([...history, { type: 'RoomHistoryClearedForEveryone', data: { roomId, upToSeq: 2, by: admin, at } }])
      .when({ ...send, clientMessageId: 'client-3', replyTo: idOf(sent(2, member)) })
      .thenError({ code: 'MESSAGE_NOT_FOUND' });
  });

  it('after a clear for everyone, a member has nothing left to clear', () => {
    given([...history, { type: 'RoomHistoryClearedForEveryone', data: { roomId, upToSeq: 2, by: admin, at } }]).when(clear).then([]);
  });

  it('is kept when the member leaves and comes back', () => {
    given([
      ...history,
      { type: 'RoomHistoryClearedForMember', data: { roomId, userId: member, upToSeq: 2, at } },
      { type: 'RoomMemberLeft', data: { roomId, userId: member, at } },
      memberAdded(member, 2),
    ]).when({ ...send, clientMessageId: 'client-3', replyTo: idOf(sent(1, owner)) }).thenError({ code: 'MESSAGE_NOT_FOUND' });
  });
});

describe('MarkRead', () => {
  const history = [...staffedRoom, sent(1, owner), sent(2, admin), sent(3, owner)];
  const markRead = { type: 'MarkRead', roomId, actorId: member, seq: 2, at } as const;
  const readUpTo = (upToSeq: number): RoomEvent => ({ type: 'RoomMessagesRead', data: { roomId, userId: member, upToSeq, at } });

  it('moves the member’s read marker forward', () => {
    given(history).when(markRead).then([readUpTo(2)]);
  });

  it('never moves it backwards', () => {
    given([...history, readUpTo(3)]).when(markRead).then([]);
  });

  it('caps it at the room’s last message', () => {
    given(history).when({ ...markRead, seq: 99 }).then([readUpTo(3)]);
  });

  it('does nothing in a room with no messages', () => {
    given(staffedRoom).when({ ...markRead, seq: 5 }).then([]);
  });

  it.each([-1, 1.5, Number.NaN])('refuses %s, which is not a seq', (seq) => {
    given(history).when({ ...markRead, seq }).thenError({ code: 'VALIDATION_FAILED', details: [{ field: 'seq', rule: 'not_a_seq' }] });
  });
});

describe('the two streams', () => {
  it('fold to the same state whichever order they are read in', () => {
    const roomStream = [...staffedRoom, { type: 'RoomMessagesRead', data: { roomId, userId: member, upToSeq: 1, at } } as const];
    const messagesStream = [sent(1, owner), sent(2, member), { type: 'MessageDeleted', data: { roomId, messageId: idOf(sent(1, owner)), by: owner, at } } as const];
    expect(fold(roomDecider, [...messagesStream, ...roomStream])).toEqual(fold(roomDecider, [...roomStream, ...messagesStream]));
  });

  it('fold to a state that survives a JSON round trip, so the handler can snapshot it', () => {
    const state = fold(roomDecider, [...staffedRoom, sent(1, owner), sent(2, member)]);
    const restored = JSON.parse(JSON.stringify(state)) as typeof state;
    expect(roomDecider.decide({ ...send, clientMessageId: 'client-3' }, restored)).toEqual(roomDecider.decide({ ...send, clientMessageId: 'client-3' }, state));
    expect(sentMessage(restored, member, 'client-2')).toEqual(sentMessage(state, member, 'client-2'));
  });
});
