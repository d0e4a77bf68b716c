import { activityEntry } from './user.activity';

const at = '2026-03-01T10:00:00.000Z';
const device = { userAgent: 'Firefox/140 (Linux)', ip: '203.0.113.7' };

describe('activityEntry', () => {
  it('records a failed login with the user agent and IP it came from', () => {
    expect(activityEntry({ type: 'LoginFailed', data: { userId: 'u', reason: 'wrong_password', ...device, at } }))
      .toEqual({ at, kind: 'login_failed', detail: { reason: 'wrong_password', ...device } });
  });

  it('tells a logout from a revocation', () => {
    const revoked = (reason: 'logout' | 'password_changed') => activityEntry({ type: 'SessionRevoked', data: { userId: 'u', sessionId: 's', reason, ...device, at } });
    expect(revoked('logout')).toEqual({ at, kind: 'logout', detail: { sessionId: 's', ...device } });
    expect(revoked('password_changed')).toEqual({ at, kind: 'session_revoked', detail: { sessionId: 's', reason: 'password_changed', ...device } });
  });

  it('names the fields a profile update changed, not their values', () => {
    expect(activityEntry({ type: 'ProfileUpdated', data: { userId: 'u', bio: 'hello', avatarFileId: null, at } }))
      .toEqual({ at, kind: 'profile_updated', detail: { fields: ['bio', 'avatarFileId'] } });
  });

  it('leaves token refreshes out', () => {
    expect(activityEntry({ type: 'SessionRefreshed', data: { userId: 'u', sessionId: 's', refreshTokenHash: 'h2', previousRefreshTokenHash: 'h1', ...device, at, expiresAt: at } }))
      .toBeUndefined();
  });

  it('leaves going offline out: presence is not account activity', () => {
    expect(activityEntry({ type: 'UserWentOffline', data: { userId: 'u', at } })).toBeUndefined();
  });
});
