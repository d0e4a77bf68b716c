import { specification } from '../shared/given-when-then';
import { type UsernameReservationEvent, usernameReservationDecider, usernameReservationStream } from './username-reservation';

const given = specification(usernameReservationDecider);
const at = '2026-03-01T10:00:00.000Z';
const claimedByAlice: UsernameReservationEvent = { type: 'UsernameClaimed', data: { username: 'alice', userId: 'user-1', at } };
const releasedByAlice: UsernameReservationEvent = { type: 'UsernameReleased', data: { username: 'alice', userId: 'user-1', at } };

describe('UsernameReservation', () => {
  it('puts Alice and alice in the same stream, so concurrent claims of both collide on append', () => {
    expect(usernameReservationStream('Alice')).toBe('username-alice');
    expect(usernameReservationStream(' alice ')).toBe('username-alice');
  });

  it('claims a free name in its normalized form', () => {
    given([]).when({ type: 'ClaimUsername', username: 'Alice', userId: 'user-1', at }).then([claimedByAlice]);
  });

  it('refuses a second claim by another user with a conflict, whatever the case it is typed in', () => {
    given([claimedByAlice]).when({ type: 'ClaimUsername', username: 'ALICE', userId: 'user-2', at })
      .thenError({ kind: 'conflict', code: 'USERNAME_TAKEN' });
  });

  it('decides nothing when the same user claims again, so a retried registration goes through', () => {
    given([claimedByAlice]).when({ type: 'ClaimUsername', username: 'alice', userId: 'user-1', at }).then([]);
  });

  it('refuses to claim an invalid username', () => {
    given([]).when({ type: 'ClaimUsername', username: 'al', userId: 'user-1', at })
      .thenError({ kind: 'validation', code: 'VALIDATION_FAILED', details: [{ field: 'username', rule: 'min_length', limit: 3 }] });
  });

  it('releases a claim when its registration failed', () => {
    given([claimedByAlice]).when({ type: 'ReleaseUsername', username: 'alice', userId: 'user-1', at }).then([releasedByAlice]);
  });

  it('lets a released name be claimed again', () => {
    given([claimedByAlice, releasedByAlice]).when({ type: 'ClaimUsername', username: 'alice', userId: 'user-2', at })
      .then([{ type: 'UsernameClaimed', data: { username: 'alice', userId: 'user-2', at } }]);
  });

  it('decides nothing when releasing a name nobody holds', () => {
    given([]).when({ type: 'ReleaseUsername', username: 'alice', userId: 'user-1', at }).then([]);
  });

  it('refuses to release a name another user holds', () => {
    given([claimedByAlice]).when({ type: 'ReleaseUsername', username: 'alice', userId: 'user-2', at })
      .thenError({ kind: 'forbidden', code: 'USERNAME_CLAIMED_BY_ANOTHER_USER' });
  });
});
