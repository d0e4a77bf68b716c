// The contract every user-blocks repository passes.
import type { UserBlocksRepository } from './user-blocks-repository';
import type { RepositoryUnderTest } from './user-directory-repository.contract';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();

export function userBlocksRepositoryContract(makeRepository: () => Promise<RepositoryUnderTest<UserBlocksRepository>>): void {
  let subject: RepositoryUnderTest<UserBlocksRepository>;
  let repository: UserBlocksRepository;
  beforeEach(async () => {
    subject = await makeRepository();
    repository = subject.repository;
  });
  afterEach(async () => {
    await subject.cleanup();
  });

  it('lists whom a user blocks, in the order they were blocked', async () => {
    await repository.recordBlocked('user-alice', 'user-mallory', at(1), 1);
    await repository.recordBlocked('user-alice', 'user-eve', at(2), 2);
    await repository.recordBlocked('user-bob', 'user-eve', at(3), 3);
    expect(await repository.blockedBy('user-alice')).toEqual([
      { blockedUserId: 'user-mallory', blockedAt: at(1) },
      { blockedUserId: 'user-eve', blockedAt: at(2) },
    ]);
  });

  it('forgets an unblocked user, and lists them again when blocked again', async () => {
    await repository.recordBlocked('user-alice', 'user-eve', at(1), 1);
    await repository.recordUnblocked('user-alice', 'user-eve', at(2), 2);
    expect(await repository.blockedBy('user-alice')).toEqual([]);
    await repository.recordBlocked('user-alice', 'user-eve', at(3), 3);
    expect(await repository.blockedBy('user-alice')).toEqual([{ blockedUserId: 'user-eve', blockedAt: at(3) }]);
  });

  it('ignores an event it has already applied, and anything older', async () => {
    await repository.recordBlocked('user-alice', 'user-eve', at(1), 1);
    await repository.recordUnblocked('user-alice', 'user-eve', at(2), 2);
    await repository.recordBlocked('user-alice', 'user-eve', at(1), 1);
    expect(await repository.blockedBy('user-alice')).toEqual([]);
  });

  it('is empty again after drop', async () => {
    await repository.recordBlocked('user-alice', 'user-eve', at(1), 1);
    await repository.drop();
    expect(await repository.blockedBy('user-alice')).toEqual([]);
  });
}
