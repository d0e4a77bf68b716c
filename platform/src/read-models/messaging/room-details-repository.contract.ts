// The contract both room-details repositories pass.
import type { RoomDetailsRecord, RoomDetailsRepository } from './room-details-repository';

export interface RoomDetailsUnderTest {
  /** A fresh, empty repository. */
  readonly repository: RoomDetailsRepository;
  cleanup(): Promise<void>;
}

const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();
const launch: RoomDetailsRecord = {
  roomId: 'room-a',
  kind: 'group',
  name: 'Launch',
  topic: 'the launch',
  announcement: '',
  createdAt: at(0),
  members: [{ userId: 'alice', role: 'owner', joinedAt: at(0) }],
  pinned: [],
};

export function roomDetailsRepositoryContract(makeRepository: () => Promise<RoomDetailsUnderTest>): void {
  let subject: RoomDetailsUnderTest;
  let rooms: RoomDetailsRepository;
  beforeEach(async () => {
    subject = await makeRepository();
    rooms = subject.repository;
  });
  afterEach(async () => {
    await subject.cleanup();
  });

  it('keeps a new room as it was opened', async () => {
    await rooms.recordOpened(launch, 1);
    expect(await rooms.get('room-a')).toEqual(launch);
    expect(await rooms.get('room-404')).toBeUndefined();
  });

  it('changes the details given, and only those', async () => {
    await rooms.recordOpened(launch, 1);
    await rooms.recordChanged('room-a', { name: 'Lift-off' }, 2);
    await rooms.recordChanged('room-a', { announcement: 'T-10 ☕' }, 3);
    expect(await rooms.get('room-a')).toMatchObject({ name: 'Lift-off', topic: 'the launch', announcement: 'T-10 ☕' });
  });

  it('keeps members in the order they joined, with their roles', async () => {
    await rooms.recordOpened(launch, 1);
    await rooms.recordMemberJoined('room-a', { userId: 'bob', role: 'member', joinedAt: at(1) }, 2);
    await rooms.recordMemberJoined('room-a', { userId: 'carol', role: 'member', joinedAt: at(2) }, 3);
    await rooms.recordRolesChanged('room-a', [{ userId: 'bob', role: 'admin' }], 4);
    await rooms.recordMemberLeft('room-a', 'carol', 5);
    await rooms.recordMemberJoined('room-a', { userId: 'carol', role: 'member', joinedAt: at(6) }, 6);
    expect((await rooms.get('room-a'))?.members).toEqual([
      { userId: 'alice', role: 'owner', joinedAt: at(0) },
      { userId: 'bob', role: 'admin', joinedAt: at(1) },
      { userId: 'carol', role: 'member', joinedAt: at(6) },
    ]);
  });

  it('changes two roles in one event', async () => {
    await rooms.recordOpened(launch, 1);
    await rooms.recordMemberJoined('room-a', { userId: 'bob', role: 'member', joinedAt: at(1) }, 2);
    await rooms.recordRolesChanged('room-a', [{ userId: 'alice', role: 'admin' }, { userId: 'bob', role: 'owner' }], 3);
    expect((await rooms.get('room-a'))?.members.map((m) => m.role)).toEqual(['admin', 'owner']);
  });

  it('lists those who joined together by id', async () => {
    await rooms.recordOpened({ ...launch, members: [] }, 1);
    for (const [i, userId] of ['zoe', 'alice', 'bob'].entries()) {
      await rooms.recordMemberJoined('room-a', { userId, role: userId === 'zoe' ? 'owner' : 'member', joinedAt: at(0) }, 2 + i);
    }
    expect((await rooms.get('room-a'))?.members.map((m) => m.userId)).toEqual(['alice', 'bob', 'zoe']);
  });

  it('keeps pins in the order they were pinned and answers them after each change', async () => {
    await rooms.recordOpened(launch, 1);
    expect(await rooms.recordPin('room-a', 'm1', true, 2)).toEqual(['m1']);
    expect(await rooms.recordPin('room-a', 'm2', true, 3)).toEqual(['m1', 'm2']);
    expect(await rooms.recordPin('room-a', 'm1', false, 4)).toEqual(['m2']);
    expect(await rooms.recordPin('room-404', 'm1', true, 5)).toBeUndefined();
    expect((await rooms.get('room-a'))?.pinned).toEqual(['m2']);
  });

  it('applies each event once: a replayed or older event changes nothing', async () => {
    await rooms.recordOpened(launch, 1);
    await rooms.recordMemberJoined('room-a', { userId: 'bob', role: 'member', joinedAt: at(1) }, 2);
    await rooms.recordMemberLeft('room-a', 'bob', 3);
    await rooms.recordMemberJoined('room-a', { userId: 'bob', role: 'member', joinedAt: at(1) }, 2);
    await rooms.recordOpened({ ...launch, name: 'again' }, 1);
    expect(await rooms.get('room-a')).toMatchObject({ name: 'Launch', members: [{ userId: 'alice', role: 'owner', joinedAt: at(0) }] });
  });

  it('forgets a deleted room', async () => {
    await rooms.recordOpened(launch, 1);
    await rooms.recordDeleted('room-a', 2);
    expect(await rooms.get('room-a')).toBeUndefined();
  });

  it('is empty again after drop', async () => {
    await rooms.recordOpened(launch, 1);
    await rooms.drop();
    expect(await rooms.get('room-a')).toBeUndefined();
  });
}
