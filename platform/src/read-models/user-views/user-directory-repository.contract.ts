// The contract every user-directory repository passes.
import type { UserDirectoryRepository } from './user-directory-repository';

export interface RepositoryUnderTest<Repository> {
  /** A fresh, empty repository. */
  readonly repository: Repository;
  cleanup(): Promise<void>;
}

const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();
const alice = { userId: 'user-alice', username: 'alice', displayName: 'Alice Liddell', at: at(0) };
const bob = { userId: 'user-bob', username: 'bob', displayName: 'Bob ☕ Builder', at: at(1) };
const albert = { userId: 'user-albert', username: 'albert_2', displayName: 'Bert', at: at(2) };

export function userDirectoryRepositoryContract(makeRepository: () => Promise<RepositoryUnderTest<UserDirectoryRepository>>): void {
  let subject: RepositoryUnderTest<UserDirectoryRepository>;
  let repository: UserDirectoryRepository;
  beforeEach(async () => {
    subject = await makeRepository();
    repository = subject.repository;
  });
  afterEach(async () => {
    await subject.cleanup();
  });

  it('records a registered user with an empty profile, seen when registered', async () => {
    await repository.recordRegistered(alice, 1);
    expect(await repository.get('user-alice')).toEqual({
      userId: 'user-alice',
      username: 'alice',
      displayName: 'Alice Liddell',
      bio: '',
      statusText: '',
      avatarFileId: null,
      registeredAt: at(0),
      lastSeenAt: at(0),
    });
  });

  it('changes only the profile fields given, and removes an avatar set to null', async () => {
    await repository.recordRegistered(alice, 1);
    await repository.recordProfileChanged('user-alice', { bio: 'Down the rabbit hole', avatarFileId: 'file-1' }, 2);
    await repository.recordProfileChanged('user-alice', { statusText: 'late', avatarFileId: null }, 3);
    expect(await repository.get('user-alice')).toMatchObject({ displayName: 'Alice Liddell', bio: 'Down the rabbit hole', statusText: 'late', avatarFileId: null });
  });

  it('ignores an event it has already applied, and anything older', async () => {
    await repository.recordRegistered(alice, 1);
    await repository.recordProfileChanged('user-alice', { displayName: 'Second' }, 5);
    await repository.recordProfileChanged('user-alice', { displayName: 'First' }, 3);
    await repository.recordProfileChanged('user-alice', { displayName: 'Second again' }, 5);
    await repository.recordSeen('user-alice', at(9), 4);
    await repository.recordRegistered({ ...alice, displayName: 'Replayed' }, 1);
    expect(await repository.get('user-alice')).toMatchObject({ displayName: 'Second', lastSeenAt: at(0) });
    await repository.recordSeen('user-alice', at(9), 6);
    expect((await repository.get('user-alice'))?.lastSeenAt).toBe(at(9));
  });

  it('never moves last seen back to an earlier time', async () => {
    await repository.recordRegistered(alice, 1);
    await repository.recordSeen('user-alice', at(9), 2);
    await repository.recordSeen('user-alice', at(5), 3);
    expect((await repository.get('user-alice'))?.lastSeenAt).toBe(at(9));
    await repository.recordSeen('user-alice', at(12), 4);
    expect((await repository.get('user-alice'))?.lastSeenAt).toBe(at(12));
  });

  it('answers undefined for a user it has not seen, and leaves unknown ids out of getMany', async () => {
    await repository.recordRegistered(alice, 1);
    await repository.recordRegistered(bob, 2);
    expect(await repository.get('user-nobody')).toBeUndefined();
    expect((await repository.getMany(['user-bob', 'user-nobody', 'user-alice'])).map((user) => user.userId)).toEqual(['user-bob', 'user-alice']);
    expect(await repository.getMany([])).toEqual([]);
  });

  it('finds users by the start of their username or display name, whatever the case, ordered by username', async () => {
    await repository.recordRegistered(alice, 1);
    await repository.recordRegistered(bob, 2);
    await repository.recordRegistered(albert, 3);
    const found = async (prefix: string, limit = 10) => (await repository.search({ prefix, limit })).map((user) => user.username);
    expect(await found('AL')).toEqual(['albert_2', 'alice']);
    expect(await found('al', 1)).toEqual(['albert_2']);
    expect(await found('bert')).toEqual(['albert_2']);
    expect(await found('bob ☕')).toEqual(['bob']);
    expect(await found('lice')).toEqual([]);
  });

  it('takes LIKE wildcards in the query literally', async () => {
    await repository.recordRegistered(alice, 1);
    await repository.recordRegistered(albert, 2);
    expect(await repository.search({ prefix: '%', limit: 10 })).toEqual([]);
    expect(await repository.search({ prefix: 'a_', limit: 10 })).toEqual([]);
    expect((await repository.search({ prefix: 'albert_', limit: 10 })).map((user) => user.username)).toEqual(['albert_2']);
  });

  it('searches a renamed user by the new display name only', async () => {
    await repository.recordRegistered(bob, 1);
    await repository.recordProfileChanged('user-bob', { displayName: 'Robert' }, 2);
    expect((await repository.search({ prefix: 'rob', limit: 10 })).map((user) => user.username)).toEqual(['bob']);
    expect((await repository.search({ prefix: 'bob ☕', limit: 10 }))).toEqual([]);
  });

  it('is empty again after drop', async () => {
    await repository.recordRegistered(alice, 1);
    await repository.drop();
    expect(await repository.get('user-alice')).toBeUndefined();
  });
}
