// Usernames are unique case-insensitively, and only a single stream can enforce that on the write side:
// `username-<normalized name>`. A registration claims it first, appending with the revision it read
// (no_stream the first time), so of two concurrent claims of `Alice` and `alice` the second append
// conflicts, and re-deciding on the fresh state answers USERNAME_TAKEN. If the registration then fails,
// the handler releases the claim. A claimed name also maps a login's username to its user id.
import { assertNever, type Decider, type DomainEvent, domainError } from '../shared/decider';
import { normalizeUsername, validateUsername } from './validation';

export function usernameReservationStream(username: string): string {
  return `username-${normalizeUsername(username)}`;
}

export type UsernameClaimed = DomainEvent<'UsernameClaimed', { readonly username: string; readonly userId: string; readonly at: string }>;
export type UsernameReleased = DomainEvent<'UsernameReleased', { readonly username: string; readonly userId: string; readonly at: string }>;
export type UsernameReservationEvent = UsernameClaimed | UsernameReleased;

export interface ClaimUsername { readonly type: 'ClaimUsername'; readonly username: string; readonly userId: string; readonly at: string }
export interface ReleaseUsername { readonly type: 'ReleaseUsername'; readonly username: string; readonly userId: string; readonly at: string }
export type UsernameReservationCommand = ClaimUsername | ReleaseUsername;

export type UsernameReservation =
  | { readonly status: 'free' }
  | { readonly status: 'claimed'; readonly username: string; readonly userId: string };

/**
 * A claim repeated by its own user (a retried registration) and a release of a name that is not claimed
 * decide no events; a released name can be claimed again. Usernames cannot be renamed, so a successful
 * registration keeps its claim for good.
 */
export const usernameReservationDecider: Decider<UsernameReservation, UsernameReservationCommand, UsernameReservationEvent> = {
  initialState: { status: 'free' },

  decide(command, state) {
    const username = normalizeUsername(command.username);
    const { userId, at } = command;
    switch (command.type) {
      case 'ClaimUsername': {
        const invalid = validateUsername(username);
        if (invalid) return invalid;
        if (state.status === 'free') return [{ type: 'UsernameClaimed', data: { username, userId, at } }];
        return state.userId === userId ? [] : domainError('conflict', 'USERNAME_TAKEN', `the username ${username} is taken`, { field: 'username' });
      }
      case 'ReleaseUsername':
        if (state.status === 'free') return [];
        if (state.userId !== userId) return domainError('forbidden', 'USERNAME_CLAIMED_BY_ANOTHER_USER', `the username ${username} belongs to another user`);
        return [{ type: 'UsernameReleased', data: { username, userId, at } }];
      default:
        return assertNever(command);
    }
  },

  evolve(_state, event) {
    switch (event.type) {
      case 'UsernameClaimed':
        return { status: 'claimed', username: event.data.username, userId: event.data.userId };
      case 'UsernameReleased':
        return { status: 'free' };
      default:
        return assertNever(event);
    }
  },
};
