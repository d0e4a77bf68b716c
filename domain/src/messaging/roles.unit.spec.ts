import { canActOn, canGrant, mayPerform, type RoomRole } from './roles';

describe('canActOn', () => {
  it.each([
    ['owner', ['admin', 'moderator', 'member']],
    ['admin', ['moderator', 'member']],
    ['moderator', ['member']],
    ['member', []],
  ] as const)('lets %s act on exactly %j', (actor, below) => {
    const roles: RoomRole[] = ['owner', 'admin', 'moderator', 'member'];
    expect(roles.filter((target) => canActOn(actor, target))).toEqual(below);
  });
});

describe('canGrant', () => {
  it('never grants ownership, which is only handed over', () => {
    expect(canGrant('owner', 'owner')).toBe(false);
  });

  it.each([
    ['owner', 'admin', true], ['admin', 'admin', false], ['admin', 'moderator', true], ['moderator', 'member', true], ['member', 'member', false],
  ] as const)('%s may grant %s: %s', (actor, role, allowed) => {
    expect(canGrant(actor, role)).toBe(allowed);
  });
});

describe('mayPerform', () => {
  it('lets moderators pin and delete others’ messages, but not clear the history for everyone', () => {
    expect([mayPerform('moderator', 'pinMessage'), mayPerform('moderator', 'deleteAnyMessage'), mayPerform('moderator', 'clearHistoryForEveryone')]).toEqual([true, true, false]);
  });

  it('keeps deleting the room and handing ownership over to the owner', () => {
    expect([mayPerform('admin', 'deleteRoom'), mayPerform('admin', 'transferOwnership'), mayPerform('owner', 'deleteRoom')]).toEqual([false, false, true]);
  });
});
