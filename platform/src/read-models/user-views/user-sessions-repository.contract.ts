// The contract every user-sessions repository passes.
import type { RepositoryUnderTest } from './user-directory-repository.contract';
import type { UserSessionsRepository } from './user-sessions-repository';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();
const laptop = { sessionId: 'session-laptop', userId: 'user-alice', userAgent: 'Firefox/140', ip: '203.0.113.7', at: at(0), expiresAt: at(50) };
const phone = { sessionId: 'session-phone', userId: 'user-alice', userAgent: 'ChatApp/2.1', ip: '198.51.100.20', at: at(1), expiresAt: at(51) };

export function userSessionsRepositoryContract(makeRepository: () => Promise<RepositoryUnderTest<UserSessionsRepository>>): void {
  let subject: RepositoryUnderTest<UserSessionsRepository>;
  let repository: UserSessionsRepository;
  beforeEach(async () => {
    subject = await makeRepository();
    repository = subject.repository;
  });
  afterEach(async () => {
    await subject.cleanup();
  });

  it('lists a user’s live sessions, the most recently used first', async () => {
    await repository.recordStarted(laptop, 1);
    await repository.recordStarted(phone, 2);
    await repository.recordStarted({ ...laptop, sessionId: 'session-bob', userId: 'user-bob' }, 3);
    await repository.recordRefreshed('session-laptop', { at: at(5), expiresAt: at(55) }, 4);
    expect(await repository.liveSessions('user-alice', at(10))).toEqual([
      { sessionId: 'session-laptop', userId: 'user-alice', createdAt: at(0), lastUsedAt: at(5), expiresAt: at(55), userAgent: 'Firefox/140', ip: '203.0.113.7', revokedAt: null },
      { sessionId: 'session-phone', userId: 'user-alice', createdAt: at(1), lastUsedAt: at(1), expiresAt: at(51), userAgent: 'ChatApp/2.1', ip: '198.51.100.20', revokedAt: null },
    ]);
  });

  it('leaves out revoked and expired sessions', async () => {
    await repository.recordStarted(laptop, 1);
    await repository.recordStarted(phone, 2);
    await repository.recordRevoked('session-phone', at(3), 3);
    expect((await repository.liveSessions('user-alice', at(10))).map((session) => session.sessionId)).toEqual(['session-laptop']);
    expect(await repository.liveSessions('user-alice', at(50))).toEqual([]);
  });

  it('ignores an event it has already applied, and anything older', async () => {
    await repository.recordStarted(laptop, 1);
    await repository.recordRefreshed('session-laptop', { at: at(5), expiresAt: at(55) }, 3);
    await repository.recordRevoked('session-laptop', at(2), 2);
    await repository.recordRefreshed('session-laptop', { at: at(4), expiresAt: at(54) }, 3);
    await repository.recordStarted({ ...laptop, userAgent: 'replayed' }, 1);
    expect(await repository.liveSessions('user-alice', at(10))).toEqual([expect.objectContaining({ lastUsedAt: at(5), userAgent: 'Firefox/140', revokedAt: null })]);
  });

  it('is empty again after drop', async () => {
    await repository.recordStarted(laptop, 1);
    await repository.drop();
    expect(await repository.liveSessions('user-alice', at(10))).toEqual([]);
  });
}
