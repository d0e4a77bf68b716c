import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { directRoomId, messageEventId, roomMessagesStreamId, roomStreamId, uuidV5 } from './ids';
import { commandStream, streamIdOf } from './room.decider';
import { sha1, utf8 } from './sha1';

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('sha1', () => {
  it('agrees with the runtime’s SHA-1 on any bytes, across block boundaries', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expect(Buffer.from(sha1(bytes)).toString('hex')).toBe(createHash('sha1').update(bytes).digest('hex'));
    }));
  });

  it('hashes text as its UTF-8 bytes, like the runtime does', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => {
      expect(Buffer.from(utf8(text)).equals(Buffer.from(text, 'utf8'))).toBe(true);
    }));
  });

  it('writes U+FFFD for a lone surrogate and one 4-byte sequence for a pair, like the runtime does', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
      expect(Buffer.from(utf8(text)).equals(Buffer.from(text, 'utf8'))).toBe(true);
    }));
    expect([...utf8('a\ud83d')]).toEqual([0x61, 0xef, 0xbf, 0xbd]);
    expect([...utf8('\ud83d\ude00')]).toEqual([0xf0, 0x9f, 0x98, 0x80]);
  });
});

describe('uuidV5', () => {
  it('matches the RFC 9562 name-based UUIDs of other implementations', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidV5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'https://example.com/😀')).toBe('f81058b1-c54a-5253-b359-ada5522efe24');
  });
});

describe('directRoomId', () => {
  it('is the same whichever of the two opens the room', () => {
    fc.assert(fc.property(fc.uuid(), fc.uuid(), (a, b) => {
      expect(directRoomId(a, b)).toBe(directRoomId(b, a));
    }));
  });

  it('is a version 5 UUID', () => {
    expect(directRoomId('alice', 'bob')).toMatch(uuidShape);
  });

  it('differs between pairs, even pairs whose ids run together', () => {
    expect(directRoomId('ab', 'c')).not.toBe(directRoomId('a', 'bc'));
    expect(directRoomId('alice', 'bob')).not.toBe(directRoomId('alice', 'carol'));
  });
});

describe('messageEventId', () => {
  it('is stable for an author and client message id', () => {
    expect(messageEventId('alice', 'c-1')).toBe(messageEventId('alice', 'c-1'));
    expect(messageEventId('alice', 'c-1')).toMatch(uuidShape);
  });

  it('differs by author and by client message id', () => {
    expect(new Set([messageEventId('alice', 'c-1'), messageEventId('bob', 'c-1'), messageEventId('alice', 'c-2'), messageEventId('alice', 'c'), messageEventId('alicec', '-1')]).size).toBe(5);
  });

  it('never names a direct room: the namespaces differ', () => {
    expect(messageEventId('alice', 'bob')).not.toBe(directRoomId('alice', 'bob'));
  });
});

describe('streams', () => {
  it('send message commands to the room’s message log and the rest to the room stream', () => {
    const roomId = 'r-1';
    const messageCommands = Object.entries(commandStream).filter(([, stream]) => stream === 'messages').map(([type]) => type);
    expect(messageCommands.sort()).toEqual(['AddReaction', 'DeleteMessage', 'EditMessage', 'ForwardMessage', 'RemoveReaction', 'SendMessage']);
    expect(streamIdOf({ type: 'SendMessage', roomId, actorId: 'a', clientMessageId: 'c', text: 't', blockedByOther: false, at: '' })).toBe(roomMessagesStreamId(roomId));
    expect(streamIdOf({ type: 'MarkRead', roomId, actorId: 'a', seq: 1, at: '' })).toBe(roomStreamId(roomId));
    expect([roomStreamId(roomId), roomMessagesStreamId(roomId)]).toEqual(['room-r-1', 'messages-r-1']);
  });
});
