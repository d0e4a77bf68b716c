import { fold } from '../shared/decider';
import { specification } from '../shared/given-when-then';
import type { UserCommand } from './user.commands';
import { userDecider } from './user.decider';
import type { SessionRefreshed, SessionRevocationReason, SessionRevoked, SessionStarted, UserEvent, UserRegistered } from './user.events';

const given = specification(userDecider);

const userId = 'user-alice';
const at = '2026-03-01T10:00:00.000Z';
const later = '2026-03-01T11:00:00.000Z';
const laptop = { userAgent: 'Firefox/140 (Linux)', ip: '203.0.113.7' };
const phone = { userAgent: 'ChatApp/2.1 (Android)', ip: '198.51.100.20' };
const tablet = { userAgent: 'Safari/18 (iPad)', ip: '192.0.2.44' };

const daysAfter = (time: string, days: number) => new Date(Date.parse(time) + days * 86_400_000).toISOString();

const registered: UserRegistered = {
  type: 'UserRegistered',
  data: { userId, username: 'alice', displayName: 'Alice', passwordHash: 'argon2id-hash-1', at },
};

function started(sessionId: string, refreshTokenHash: string, device = laptop, time = at): SessionStarted {
  return { type: 'SessionStarted', data: { userId, sessionId, refreshTokenHash, ...device, at: time, expiresAt: daysAfter(time, 30) } };
}

function refreshed(sessionId: string, previousRefreshTokenHash: string, refreshTokenHash: string, device = laptop, time = later): SessionRefreshed {
  return { type: 'SessionRefreshed', data: { userId, sessionId, refreshTokenHash, previousRefreshTokenHash, ...device, at: time, expiresAt: daysAfter(time, 30) } };
}

function revoked(sessionId: string, reason: SessionRevocationReason, device = laptop, time = later): SessionRevoked {
  return { type: 'SessionRevoked', data: { userId, sessionId, reason, ...device, at: time } };
}

const onLaptop = [registered, started('session-laptop', 'refresh-1')];

describe('RegisterUser', () => {
  const register = { type: 'RegisterUser', userId, username: 'Alice', passwordHash: 'argon2id-hash-1', sessionId: 'session-laptop', refreshTokenHash: 'refresh-1', ...laptop, at } as const;

  it('records the user under the normalized username and starts the first session', () => {
    given([]).when({ ...register, displayName: 'Alice A.' }).then([
      { type: 'UserRegistered', data: { userId, username: 'alice', displayName: 'Alice A.', passwordHash: 'argon2id-hash-1', at } },
      started('session-laptop', 'refresh-1'),
    ]);
  });

  it('uses the username as typed for the display name when none is given', () => {
    given([]).when(register).then([registered, started('session-laptop', 'refresh-1')]);
  });

  it('refuses a username outside [a-z0-9_.] and names the field', () => {
    given([]).when({ ...register, username: 'al-ice' }).thenError({
      kind: 'validation', code: 'VALIDATION_FAILED', details: [{ field: 'username', rule: 'pattern' }],
    });
  });

  it('refuses a display name longer than 64 code points', () => {
    given([]).when({ ...register, displayName: 'a'.repeat(65) }).thenError({
      code: 'VALIDATION_FAILED', details: [{ field: 'displayName', rule: 'max_length', limit: 64 }],
    });
  });

  it('conflicts when the user is already registered', () => {
    given([registered]).when(register).thenError({ kind: 'conflict', code: 'USER_ALREADY_REGISTERED' });
  });
});

describe('LogIn', () => {
  const logIn = { type: 'LogIn', userId, passwordVerified: true, sessionId: 'session-phone', refreshTokenHash: 'refresh-p1', ...phone, at: later } as const;

  it('records the login and starts a session that expires 30 days later', () => {
    given(onLaptop).when(logIn).then([
      { type: 'LoginSucceeded', data: { userId, sessionId: 'session-phone', ...phone, at: later } },
      started('session-phone', 'refresh-p1', phone, later),
    ]);
  });

  it('records a wrong password as LoginFailed rather than an error, so it reaches the activity log', () => {
    given(onLaptop).when({ ...logIn, passwordVerified: false }).then([
      { type: 'LoginFailed', data: { userId, reason: 'wrong_password', ...phone, at: later } },
    ]);
  });

  it('answers not found for a user who does not exist; the handler turns it into the same 401 as a wrong password', () => {
    given([]).when(logIn).thenError({ kind: 'not_found', code: 'USER_NOT_FOUND' });
  });

  it('conflicts when the new session id is already in use', () => {
    given(onLaptop).when({ ...logIn, sessionId: 'session-laptop' }).thenError({ kind: 'conflict', code: 'SESSION_ALREADY_EXISTS' });
  });
});

describe('RefreshSession', () => {
  const refresh = (refreshTokenHash: string, newRefreshTokenHash: string, time = later): UserCommand => (
    { type: 'RefreshSession', userId, refreshTokenHash, newRefreshTokenHash, ...laptop, at: time }
  );

  it('rotates the live refresh token and renews the expiry from this use', () => {
    given(onLaptop).when(refresh('refresh-1', 'refresh-2')).then([refreshed('session-laptop', 'refresh-1', 'refresh-2')]);
  });

  it('accepts the token issued by the previous refresh', () => {
    const third = '2026-03-01T12:00:00.000Z';
    given([...onLaptop, refreshed('session-laptop', 'refresh-1', 'refresh-2')])
      .when(refresh('refresh-2', 'refresh-3', third))
      .then([refreshed('session-laptop', 'refresh-2', 'refresh-3', laptop, third)]);
  });

  it('keeps a session alive past 30 days from login when it is used within every 30 days', () => {
    const day20 = daysAfter(at, 20);
    const day40 = daysAfter(at, 40);
    given([...onLaptop, refreshed('session-laptop', 'refresh-1', 'refresh-2', laptop, day20)])
      .when(refresh('refresh-2', 'refresh-3', day40))
      .then([refreshed('session-laptop', 'refresh-2', 'refresh-3', laptop, day40)]);
  });

  it('revokes the whole session when an already used token is presented again', () => {
    given([...onLaptop, refreshed('session-laptop', 'refresh-1', 'refresh-2')])
      .when({ type: 'RefreshSession', userId, refreshTokenHash: 'refresh-1', newRefreshTokenHash: 'refresh-x', ...tablet, at: later })
      .then([
        { type: 'RefreshTokenReuseDetected', data: { userId, sessionId: 'session-laptop', refreshTokenHash: 'refresh-1', ...tablet, at: later } },
        revoked('session-laptop', 'reuse_detected'),
      ]);
  });

  it('refuses even the newest token of a session revoked for reuse', () => {
    given([...onLaptop, refreshed('session-laptop', 'refresh-1', 'refresh-2'), revoked('session-laptop', 'reuse_detected')])
      .when(refresh('refresh-2', 'refresh-3'))
      .thenError({ kind: 'forbidden', code: 'SESSION_REVOKED' });
  });

  it('refuses a used token of a revoked session without revoking it again', () => {
    given([...onLaptop, refreshed('session-laptop', 'refresh-1', 'refresh-2'), revoked('session-laptop', 'logout')])
      .when(refresh('refresh-1', 'refresh-3'))
      .thenError({ kind: 'forbidden', code: 'SESSION_REVOKED' });
  });

  it('refuses the token of a session that was logged out', () => {
    given([...onLaptop, revoked('session-laptop', 'logout')]).when(refresh('refresh-1', 'refresh-2')).thenError({ code: 'SESSION_REVOKED' });
  });

  it('refuses a token 30 days after the session was last used', () => {
    given(onLaptop).when(refresh('refresh-1', 'refresh-2', daysAfter(at, 30))).thenError({ kind: 'forbidden', code: 'SESSION_EXPIRED' });
  });

  it('refuses a token that was never issued', () => {
    given(onLaptop).when(refresh('refresh-forged', 'refresh-2')).thenError({ kind: 'not_found', code: 'REFRESH_TOKEN_UNKNOWN' });
  });
});

describe('LogOut', () => {
  const logOut = { type: 'LogOut', userId, sessionId: 'session-laptop', at: later } as const;

  it('revokes the caller\'s session with the reason logout', () => {
    given(onLaptop).when(logOut).then([revoked('session-laptop', 'logout')]);
  });

  it('decides nothing when the session is already over', () => {
    given([...onLaptop, revoked('session-laptop', 'logout')]).when(logOut).then([]);
  });
});

describe('RevokeSession', () => {
  const twoDevices = [...onLaptop, started('session-phone', 'refresh-p1', phone)];

  it('revokes only the named session', () => {
    given(twoDevices).when({ type: 'RevokeSession', userId, sessionId: 'session-phone', at: later }).then([revoked('session-phone', 'revoked', phone)]);
  });

  it('answers not found for a session id that is not the user\'s, such as another user\'s session', () => {
    given(twoDevices).when({ type: 'RevokeSession', userId, sessionId: 'session-of-bob', at: later }).thenError({ kind: 'not_found', code: 'SESSION_NOT_FOUND' });
  });

  it('decides nothing when the session was already revoked', () => {
    given([...twoDevices, revoked('session-phone', 'revoked', phone)])
      .when({ type: 'RevokeSession', userId, sessionId: 'session-phone', at: later })
      .then([]);
  });
});

describe('ChangePassword', () => {
  const changePassword = { type: 'ChangePassword', userId, sessionId: 'session-laptop', currentPasswordVerified: true, newPasswordHash: 'argon2id-hash-2', at: later } as const;
  const passwordChanged: UserEvent = { type: 'PasswordChanged', data: { userId, passwordHash: 'argon2id-hash-2', sessionId: 'session-laptop', at: later } };

  it('records the new hash and revokes every other session but the caller\'s', () => {
    given([...onLaptop, started('session-phone', 'refresh-p1', phone), started('session-tablet', 'refresh-t1', tablet)])
      .when(changePassword)
      .then([passwordChanged, revoked('session-phone', 'password_changed', phone), revoked('session-tablet', 'password_changed', tablet)]);
  });

  it('leaves sessions that already ended alone', () => {
    const longAgo = daysAfter(at, -31);
    given([...onLaptop, started('session-old', 'refresh-o1', tablet, longAgo), started('session-phone', 'refresh-p1', phone), revoked('session-phone', 'logout', phone, at)])
      .when(changePassword)
      .then([passwordChanged]);
  });

  it('refuses when the current password was not verified', () => {
    given(onLaptop).when({ ...changePassword, currentPasswordVerified: false }).thenError({ kind: 'forbidden', code: 'CURRENT_PASSWORD_INCORRECT' });
  });

  it('refuses from a session that was revoked', () => {
    given([...onLaptop, revoked('session-laptop', 'revoked')]).when(changePassword).thenError({ kind: 'forbidden', code: 'SESSION_REVOKED' });
  });

  it('makes the new hash the one later logins are verified against', () => {
    const state = fold(userDecider, [...onLaptop, passwordChanged]);
    expect(state.status === 'registered' && state.passwordHash).toBe('argon2id-hash-2');
  });
});

describe('UpdateProfile', () => {
  const update = { type: 'UpdateProfile', userId, at: later } as const;

  it('records only the fields that change', () => {
    given([registered]).when({ ...update, displayName: 'Alice', bio: 'Tea, then code.', avatarFileId: 'file-1' }).then([
      { type: 'ProfileUpdated', data: { userId, bio: 'Tea, then code.', avatarFileId: 'file-1', at: later } },
    ]);
  });

  it('drops surrounding whitespace before storing', () => {
    given([registered]).when({ ...update, statusText: '  on holiday  ' }).then([
      { type: 'ProfileUpdated', data: { userId, statusText: 'on holiday', at: later } },
    ]);
  });

  it('removes the avatar when avatarFileId is null', () => {
    given([registered, { type: 'ProfileUpdated', data: { userId, avatarFileId: 'file-1', at } }])
      .when({ ...update, avatarFileId: null })
      .then([{ type: 'ProfileUpdated', data: { userId, avatarFileId: null, at: later } }]);
  });

  it('decides nothing when nothing changes', () => {
    given([registered]).when({ ...update, displayName: 'Alice', bio: '' }).then([]);
  });

  it('counts an emoji as one code point, so 64 of them make a valid display name', () => {
    given([registered]).when({ ...update, displayName: '😀'.repeat(64) }).then([
      { type: 'ProfileUpdated', data: { userId, displayName: '😀'.repeat(64), at: later } },
    ]);
  });

  it('refuses a display name of 65 emoji', () => {
    given([registered]).when({ ...update, displayName: '😀'.repeat(65) }).thenError({
      code: 'VALIDATION_FAILED', details: [{ field: 'displayName', rule: 'max_length', limit: 64 }],
    });
  });

  it('refuses a display name that is only whitespace', () => {
    given([registered]).when({ ...update, displayName: '   ' }).thenError({
      code: 'VALIDATION_FAILED', details: [{ field: 'displayName', rule: 'min_length', limit: 1 }],
    });
  });

  it('refuses a status text on more than one line', () => {
    given([registered]).when({ ...update, statusText: 'busy\nback at 5' }).thenError({
      code: 'VALIDATION_FAILED', details: [{ field: 'statusText', rule: 'single_line' }],
    });
  });

  it('lists every field that breaks a rule: a bio over 500 and a status text over 140 code points', () => {
    given([registered]).when({ ...update, bio: 'b'.repeat(501), statusText: 's'.repeat(141) }).thenError({
      kind: 'validation',
      code: 'VALIDATION_FAILED',
      details: [{ field: 'bio', rule: 'max_length', limit: 500 }, { field: 'statusText', rule: 'max_length', limit: 140 }],
    });
  });
});

describe('BlockUser and UnblockUser', () => {
  const bobBlocked: UserEvent = { type: 'UserBlocked', data: { userId, blockedUserId: 'user-bob', at } };

  it('blocks another user', () => {
    given([registered]).when({ type: 'BlockUser', userId, blockedUserId: 'user-bob', at }).then([bobBlocked]);
  });

  it('decides nothing when the user is already blocked', () => {
    given([registered, bobBlocked]).when({ type: 'BlockUser', userId, blockedUserId: 'user-bob', at: later }).then([]);
  });

  it('refuses to block yourself', () => {
    given([registered]).when({ type: 'BlockUser', userId, blockedUserId: userId, at }).thenError({ kind: 'validation', code: 'CANNOT_BLOCK_SELF' });
  });

  it('unblocks a blocked user', () => {
    given([registered, bobBlocked]).when({ type: 'UnblockUser', userId, blockedUserId: 'user-bob', at: later }).then([
      { type: 'UserUnblocked', data: { userId, blockedUserId: 'user-bob', at: later } },
    ]);
  });

  it('decides nothing when unblocking a user who is not blocked', () => {
    given([registered]).when({ type: 'UnblockUser', userId, blockedUserId: 'user-bob', at }).then([]);
  });

  it('forgets a block once it is lifted, so the user can be blocked again', () => {
    given([registered, bobBlocked, { type: 'UserUnblocked', data: { userId, blockedUserId: 'user-bob', at } }])
      .when({ type: 'BlockUser', userId, blockedUserId: 'user-bob', at: later })
      .then([{ type: 'UserBlocked', data: { userId, blockedUserId: 'user-bob', at: later } }]);
  });
});

describe('RecordWentOffline', () => {
  const wentOffline = (time: string): UserEvent => ({ type: 'UserWentOffline', data: { userId, at: time } });
  const recordWentOffline = (time: string): UserCommand => ({ type: 'RecordWentOffline', userId, at: time });

  it('records when the user went offline: the time they were last seen', () => {
    given(onLaptop).when(recordWentOffline(later)).then([wentOffline(later)]);
  });

  it('records a later going offline after an earlier one', () => {
    const evening = '2026-03-01T18:00:00.000Z';
    given([...onLaptop, wentOffline(later)]).when(recordWentOffline(evening)).then([wentOffline(evening)]);
  });

  it('decides nothing for the same time again: a second consumer or a retry reported it too', () => {
    given([...onLaptop, wentOffline(later)]).when(recordWentOffline(later)).then([]);
  });

  it('decides nothing for an earlier time, so last seen never moves back', () => {
    given([...onLaptop, wentOffline(later)]).when(recordWentOffline(at)).then([]);
  });
});

describe('a user who never registered', () => {
  it.each<UserCommand>([
    { type: 'RefreshSession', userId, refreshTokenHash: 'refresh-1', newRefreshTokenHash: 'refresh-2', ...laptop, at },
    { type: 'LogOut', userId, sessionId: 'session-laptop', at },
    { type: 'RevokeSession', userId, sessionId: 'session-laptop', at },
    { type: 'ChangePassword', userId, sessionId: 'session-laptop', currentPasswordVerified: true, newPasswordHash: 'h', at },
    { type: 'UpdateProfile', userId, bio: 'hi', at },
    { type: 'BlockUser', userId, blockedUserId: 'user-bob', at },
    { type: 'UnblockUser', userId, blockedUserId: 'user-bob', at },
    { type: 'RecordWentOffline', userId, at },
  ])('cannot $type', (command) => {
    given([]).when(command).thenError({ kind: 'not_found', code: 'USER_NOT_FOUND' });
  });
});
