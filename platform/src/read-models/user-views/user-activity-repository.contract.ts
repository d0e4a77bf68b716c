// The contract every user-activity repository passes.
import type { ActivityRecord, UserActivityRepository } from './user-activity-repository';
import type { RepositoryUnderTest } from './user-directory-repository.contract';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();
const entry = (position: number, minute = position, kind = 'login_succeeded'): ActivityRecord => ({
  position,
  at: at(minute),
  kind,
  detail: { sessionId: `session-${position}`, userAgent: 'Firefox/140 ☕', fields: ['bio', 'statusText'] },
});

export function userActivityRepositoryContract(makeRepository: () => Promise<RepositoryUnderTest<UserActivityRepository>>): void {
  let subject: RepositoryUnderTest<UserActivityRepository>;
  let repository: UserActivityRepository;
  beforeEach(async () => {
    subject = await makeRepository();
    repository = subject.repository;
  });
  afterEach(async () => {
    await subject.cleanup();
  });

  it('lists a user’s entries newest first, with their detail as recorded', async () => {
    await repository.record('user-alice', entry(1, 1, 'registered'));
    await repository.record('user-bob', entry(2));
    await repository.record('user-alice', entry(3));
    expect(await repository.list('user-alice', { limit: 10 })).toEqual([entry(3), entry(1, 1, 'registered')]);
  });

  it('pages by position, and by time', async () => {
    for (const position of [1, 2, 3, 4, 5]) await repository.record('user-alice', entry(position, position < 4 ? 1 : position));
    expect((await repository.list('user-alice', { limit: 2 })).map((e) => e.position)).toEqual([5, 4]);
    expect((await repository.list('user-alice', { before: { position: 4 }, limit: 2 })).map((e) => e.position)).toEqual([3, 2]);
    expect((await repository.list('user-alice', { before: { at: at(4) }, limit: 10 })).map((e) => e.position)).toEqual([3, 2, 1]);
  });

  it('records an event once, however often it is applied', async () => {
    await repository.record('user-alice', entry(1));
    await repository.record('user-alice', entry(1));
    expect(await repository.list('user-alice', { limit: 10 })).toHaveLength(1);
  });

  it('is empty again after drop', async () => {
    await repository.record('user-alice', entry(1));
    await repository.drop();
    expect(await repository.list('user-alice', { limit: 10 })).toEqual([]);
  });
}
