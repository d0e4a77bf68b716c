import { specification } from '../shared/given-when-then';
import { directRoomId } from './ids';
import { at, created, memberAdded, people, roleChanged, roomId, sent, staffedRoom } from './room.fixtures';
import type { RoomEvent } from './room.events';
import { roomDecider } from './room.decider';
import type { RoomRole } from './roles';

const given = specification(roomDecider);
const { owner, admin, otherAdmin, moderator, otherModerator, member, otherMember, outsider } = people;

describe('CreateGroupRoom', () => {
  const create = { type: 'CreateGroupRoom', roomId, actorId: owner, name: '  Launch  ', at } as const;

  it('makes the creator its owner and stores the trimmed name', () => {
    given([]).when(create).then([created]);
  });

  it('adds the initial members once each, leaving out the creator', () => {
    given([]).when({ ...create, topic: 'Ship it', memberIds: [member, owner, member, admin] }).then([
      { type: 'GroupRoomCreated', data: { roomId, name: 'Launch', topic: 'Ship it', ownerId: owner, at } },
      memberAdded(member),
      memberAdded(admin),
    ]);
  });

  it('refuses an empty name', () => {
    given([]).when({ ...create, name: '   ' }).thenError({ code: 'VALIDATION_FAILED', details: [{ field: 'name', rule: 'min_length', limit: 1 }] });
  });

  it('refuses a name longer than 100 code points', () => {
    given([]).when({ ...create, name: '🚀'.repeat(101) }).thenError({ code: 'VALIDATION_FAILED', details: [{ field: 'name', rule: 'max_length', limit: 100 }] });
  });

  it('refuses a room id that is already taken', () => {
    given([created]).when(create).thenError({ kind: 'conflict', code: 'ROOM_ALREADY_EXISTS' });
  });
});

describe('OpenDirectRoom', () => {
  const directId = directRoomId(owner, member);
  const open = { type: 'OpenDirectRoom', roomId: directId, actorId: member, otherUserId: owner, blockedByOther: false, at } as const;
  const opened: RoomEvent = { type: 'DirectRoomCreated', data: { roomId: directId, memberIds: [owner, member], openedBy: member, at } };

  it('creates the room of the pair with both people in it, sorted', () => {
    given([]).when(open).then([opened]);
  });

  it('does nothing when the pair already has its room, whoever opened it first', () => {
    given([opened]).when({ ...open, actorId: owner, otherUserId: member }).then([]);
  });

  it('refuses a room id that is not the one derived from the pair, so there is only ever one', () => {
    given([]).when({ ...open, roomId }).thenError({ code: 'VALIDATION_FAILED', details: [{ field: 'roomId', rule: 'not_the_direct_room_of_the_pair' }] });
  });

  it('refuses a direct room with oneself', () => {
    given([]).when({ ...open, roomId: directRoomId(member, member), otherUserId: member }).thenError({ code: 'VALIDATION_FAILED', details: [{ field: 'userId', rule: 'not_another_user' }] });
  });

  it('refuses someone the other person blocked', () => {
    given([]).when({ ...open, blockedByOther: true }).thenError({ kind: 'forbidden', code: 'BLOCKED' });
  });

  it('refuses someone the other person blocked even when their room exists', () => {
    given([opened]).when({ ...open, blockedByOther: true }).thenError({ code: 'BLOCKED' });
  });

  it.each([
    ['renamed', { type: 'UpdateRoomDetails', name: 'Us' }],
    ['deleted', { type: 'DeleteRoom' }],
    ['left', { type: 'LeaveRoom' }],
    ['joined by a third person', { type: 'AddMember', userId: outsider }],
  ] as const)('cannot be %s', (_, command) => {
    given([opened]).when({ ...command, roomId: directId, actorId: member, at }).thenError({ kind: 'forbidden', code: 'FORBIDDEN' });
  });
});

describe('UpdateRoomDetails', () => {
  const update = { type: 'UpdateRoomDetails', roomId, actorId: admin, at } as const;

  it('lets an admin rename the room, change its topic and write its announcement', () => {
    given(staffedRoom).when({ ...update, name: 'Launch v2', topic: 'Friday', announcement: 'Freeze at noon 🥶' }).then([
      { type: 'RoomRenamed', data: { roomId, name: 'Launch v2', by: admin, at } },
      { type: 'RoomTopicChanged', data: { roomId, topic: 'Friday', by: admin, at } },
      { type: 'RoomAnnouncementChanged', data: { roomId, announcement: 'Freeze at noon 🥶', by: admin, at } },
    ]);
  });

  it('records only what changed', () => {
    given(staffedRoom).when({ ...update, name: 'Launch', topic: 'Friday' }).then([{ type: 'RoomTopicChanged', data: { roomId, topic: 'Friday', by: admin, at } }]);
  });

  it('refuses a moderator editing the announcement', () => {
    given(staffedRoom).when({ ...update, actorId: moderator, announcement: 'Hi' }).thenError({ kind: 'forbidden', code: 'FORBIDDEN' });
  });

  it('refuses an announcement longer than 2000 code points', () => {
    given(staffedRoom).when({ ...update, announcement: 'a'.repeat(2001) }).thenError({ code: 'VALIDATION_FAILED', details: [{ field: 'announcement', rule: 'max_length', limit: 2000 }] });
  });
});

describe('DeleteRoom', () => {
  it('lets the owner delete the room', () => {
    given(staffedRoom).when({ type: 'DeleteRoom', roomId, actorId: owner, at }).then([{ type: 'RoomDeleted', data: { roomId, by: owner, at } }]);
  });

  it('refuses an admin', () => {
    given(staffedRoom).when({ type: 'DeleteRoom', roomId, actorId: admin, at }).thenError({ code: 'FORBIDDEN' });
  });

  it('leaves nothing to act on: the room reads as not found afterwards', () => {
    given([...staffedRoom, { type: 'RoomDeleted', data: { roomId, by: owner, at } }])
      .when({ type: 'SendMessage', roomId, actorId: owner, clientMessageId: 'c', text: 'hello?', blockedByOther: false, at })
      .thenError({ kind: 'not_found', code: 'ROOM_NOT_FOUND' });
  });
});

describe('a non-member', () => {
  it.each([
    ['send a message', { type: 'SendMessage', clientMessageId: 'c', text: 'hi', blockedByOther: false }],
    ['mark messages read', { type: 'MarkRead', seq: 1 }],
    ['add a member', { type: 'AddMember', userId: outsider }],
    ['leave', { type: 'LeaveRoom' }],
  ] as const)('cannot %s, and is told the room does not exist', (_, command) => {
    given(staffedRoom).when({ ...command, roomId, actorId: outsider, at }).thenError({ kind: 'not_found', code: 'ROOM_NOT_FOUND' });
  });

  it('who left is a non-member like any other', () => {
    given([...staffedRoom, { type: 'RoomMemberLeft', data: { roomId, userId: member, at } }])
      .when({ type: 'MarkRead', roomId, actorId: member, seq: 1, at })
      .thenError({ code: 'ROOM_NOT_FOUND' });
  });
});

describe('AddMember', () => {
  it('lets an admin add someone, whose read marker starts at the last message', () => {
    given([...staffedRoom, sent(1, owner), sent(2, member)]).when({ type: 'AddMember', roomId, actorId: admin, userId: outsider, at }).then([
      { type: 'RoomMemberAdded', data: { roomId, userId: outsider, role: 'member', lastReadSeq: 2, by: admin, at } },
    ]);
  });

  it('does nothing for someone already in the room', () => {
    given(staffedRoom).when({ type: 'AddMember', roomId, actorId: admin, userId: member, at }).then([]);
  });

  it('refuses a moderator', () => {
    given(staffedRoom).when({ type: 'AddMember', roomId, actorId: moderator, userId: outsider, at }).thenError({ code: 'FORBIDDEN' });
  });
});

/** Who `actor` acts on when the target has `targetRole`: someone else holding it. */
const holderOf: Record<RoomRole, string> = { owner, admin: otherAdmin, moderator: otherModerator, member: otherMember };
const actorWith: Record<RoomRole, string> = { owner, admin, moderator, member };

/**
 * Each role acting on each other role, as a sentence: [title, actor's role, target's role, allowed].
 * Only admins and the owner remove members and change roles, and only those below them.
 */
const hierarchy = ([
  ['owner', 'admin', true], ['owner', 'moderator', true], ['owner', 'member', true],
  ['admin', 'owner', false], ['admin', 'admin', false], ['admin', 'moderator', true], ['admin', 'member', true],
  ['moderator', 'owner', false], ['moderator', 'admin', false], ['moderator', 'moderator', false], ['moderator', 'member', false],
  ['member', 'owner', false], ['member', 'admin', false], ['member', 'moderator', false], ['member', 'member', false],
] as const).map(([actorRole, targetRole, allowed]) => (verb: string) =>
  [`${named(actorRole)} ${allowed ? 'may' : 'may not'} ${verb} ${named(targetRole)}`, actorRole, targetRole, allowed] as const);

function named(role: RoomRole): string {
  if (role === 'owner') return 'the owner';
  return role === 'admin' ? 'an admin' : `a ${role}`;
}

describe('RemoveMember', () => {
  it.each(hierarchy.map((sentence) => sentence('remove')))('%s', (_, actorRole, targetRole, allowed) => {
    const userId = holderOf[targetRole];
    const outcome = given(staffedRoom).when({ type: 'RemoveMember', roomId, actorId: actorWith[actorRole], userId, at });
    if (allowed) outcome.then([{ type: 'RoomMemberRemoved', data: { roomId, userId, by: actorWith[actorRole], at } }]);
    else outcome.thenError({ kind: 'forbidden', code: 'FORBIDDEN' });
  });

  it('tells an admin when the person is not a member', () => {
    given(staffedRoom).when({ type: 'RemoveMember', roomId, actorId: admin, userId: outsider, at }).thenError({ kind: 'not_found', code: 'NOT_A_MEMBER' });
  });

  it('removing oneself is leaving', () => {
    given(staffedRoom).when({ type: 'RemoveMember', roomId, actorId: member, userId: member, at }).then([{ type: 'RoomMemberLeft', data: { roomId, userId: member, at } }]);
  });
});

describe('ChangeMemberRole', () => {
  /** A change that is a real change for each target: members are raised to moderator, others lowered to member. */
  const newRoleFor = (targetRole: RoomRole): RoomRole => (targetRole === 'member' ? 'moderator' : 'member');

  it.each(hierarchy.map((sentence) => sentence('change the role of')))('%s', (_, actorRole, targetRole, allowed) => {
    const userId = holderOf[targetRole];
    const role = newRoleFor(targetRole);
    const outcome = given(staffedRoom).when({ type: 'ChangeMemberRole', roomId, actorId: actorWith[actorRole], userId, role, at });
    if (allowed) outcome.then([{ type: 'RoomMemberRoleChanged', data: { roomId, userId, role, previousRole: targetRole, by: actorWith[actorRole], at } }]);
    else outcome.thenError({ kind: 'forbidden', code: 'FORBIDDEN' });
  });

  it('lets the owner make someone an admin', () => {
    given(staffedRoom).when({ type: 'ChangeMemberRole', roomId, actorId: owner, userId: member, role: 'admin', at }).then([
      { type: 'RoomMemberRoleChanged', data: { roomId, userId: member, role: 'admin', previousRole: 'member', by: owner, at } },
    ]);
  });

  it('refuses an admin making someone an admin, a role not below their own', () => {
    given(staffedRoom).when({ type: 'ChangeMemberRole', roomId, actorId: admin, userId: member, role: 'admin', at }).thenError({ code: 'FORBIDDEN' });
  });

  it('refuses anyone changing their own role', () => {
    given(staffedRoom).when({ type: 'ChangeMemberRole', roomId, actorId: admin, userId: admin, role: 'member', at }).thenError({ code: 'FORBIDDEN' });
  });

  it('does nothing when the member already has the role', () => {
    given(staffedRoom).when({ type: 'ChangeMemberRole', roomId, actorId: owner, userId: admin, role: 'admin', at }).then([]);
  });

  it('tells an admin when the person is not a member', () => {
    given(staffedRoom).when({ type: 'ChangeMemberRole', roomId, actorId: admin, userId: outsider, role: 'moderator', at }).thenError({ code: 'NOT_A_MEMBER' });
  });
});

describe('ownership', () => {
  const transfer = { type: 'ChangeMemberRole', roomId, actorId: owner, userId: member, role: 'owner', at } as const;
  const transferred: RoomEvent = { type: 'RoomOwnershipTransferred', data: { roomId, previousOwnerId: owner, newOwnerId: member, at } };

  it('is handed over by the owner to a member', () => {
    given(staffedRoom).when(transfer).then([transferred]);
  });

  it('cannot be handed over by an admin', () => {
    given(staffedRoom).when({ ...transfer, actorId: admin }).thenError({ code: 'FORBIDDEN' });
  });

  it('cannot go to someone outside the room', () => {
    given(staffedRoom).when({ ...transfer, userId: outsider }).thenError({ code: 'NOT_A_MEMBER' });
  });

  it('leaves the previous owner an admin, who can no longer delete the room', () => {
    given([...staffedRoom, transferred]).when({ type: 'DeleteRoom', roomId, actorId: owner, at }).thenError({ code: 'FORBIDDEN' });
  });

  it('leaves the previous owner an admin, who can still remove members', () => {
    given([...staffedRoom, transferred]).when({ type: 'RemoveMember', roomId, actorId: owner, userId: otherMember, at }).then([
      { type: 'RoomMemberRemoved', data: { roomId, userId: otherMember, by: owner, at } },
    ]);
  });

  it('makes the new owner untouchable by the previous one', () => {
    given([...staffedRoom, transferred]).when({ type: 'RemoveMember', roomId, actorId: owner, userId: member, at }).thenError({ code: 'FORBIDDEN' });
  });

  it('handed to oneself changes nothing', () => {
    given(staffedRoom).when({ ...transfer, userId: owner }).then([]);
  });
});

describe('LeaveRoom', () => {
  it('lets a member leave', () => {
    given(staffedRoom).when({ type: 'LeaveRoom', roomId, actorId: moderator, at }).then([{ type: 'RoomMemberLeft', data: { roomId, userId: moderator, at } }]);
  });

  it('refuses the owner while others remain: ownership must be handed over first', () => {
    given(staffedRoom).when({ type: 'LeaveRoom', roomId, actorId: owner, at }).thenError({ kind: 'conflict', code: 'LAST_OWNER_CANNOT_LEAVE' });
  });

  it('lets the owner leave once ownership is handed over', () => {
    given([...staffedRoom, { type: 'RoomOwnershipTransferred', data: { roomId, previousOwnerId: owner, newOwnerId: admin, at } }])
      .when({ type: 'LeaveRoom', roomId, actorId: owner, at })
      .then([{ type: 'RoomMemberLeft', data: { roomId, userId: owner, at } }]);
  });

  it('deletes the room when its owner is the last one in it', () => {
    given([created]).when({ type: 'LeaveRoom', roomId, actorId: owner, at }).then([{ type: 'RoomDeleted', data: { roomId, by: owner, at } }]);
  });
});

describe('SetNotificationsMuted', () => {
  const mute = { type: 'SetNotificationsMuted', roomId, actorId: member, muted: true, at } as const;
  const muted: RoomEvent = { type: 'RoomNotificationsMuted', data: { roomId, userId: member, at } };

  it('mutes the room for the member only', () => {
    given(staffedRoom).when(mute).then([muted]);
  });

  it('unmutes it again', () => {
    given([...staffedRoom, muted]).when({ ...mute, muted: false }).then([{ type: 'RoomNotificationsUnmuted', data: { roomId, userId: member, at } }]);
  });

  it('does nothing when already muted', () => {
    given([...staffedRoom, muted]).when(mute).then([]);
  });

  it('leaves other members unmuted', () => {
    given([...staffedRoom, muted]).when({ ...mute, actorId: otherMember, muted: false }).then([]);
  });
});

describe('roles after changes', () => {
  it('a moderator raised to admin can remove a member', () => {
    given([...staffedRoom, roleChanged(moderator, 'admin', 'moderator')]).when({ type: 'RemoveMember', roomId, actorId: moderator, userId: member, at }).then([
      { type: 'RoomMemberRemoved', data: { roomId, userId: member, by: moderator, at } },
    ]);
  });
});
