// The rules a room command can break, as values. A room that does not exist, was deleted, or that the
// caller is not a member of all read the same, ROOM_NOT_FOUND, so a non-member learns nothing.
import { type DomainError, domainError } from '../shared/decider';

export function roomNotFound(roomId: string): DomainError {
  return domainError('not_found', 'ROOM_NOT_FOUND', `room ${roomId} not found`);
}

export function roomAlreadyExists(roomId: string): DomainError {
  return domainError('conflict', 'ROOM_ALREADY_EXISTS', `room ${roomId} already exists`);
}

/** Said only to a member, about someone else. */
export function notAMember(userId: string): DomainError {
  return domainError('not_found', 'NOT_A_MEMBER', `${userId} is not a member of this room`);
}

export function forbidden(reason: string): DomainError {
  return domainError('forbidden', 'FORBIDDEN', reason);
}

export function lastOwnerCannotLeave(): DomainError {
  return domainError('conflict', 'LAST_OWNER_CANNOT_LEAVE', 'the owner must hand ownership to another member before leaving');
}

/** Also for a message the caller cleared from their history, or one deleted where a live one is needed. */
export function messageNotFound(messageId: string): DomainError {
  return domainError('not_found', 'MESSAGE_NOT_FOUND', `message ${messageId} not found`);
}

export function blocked(): DomainError {
  return domainError('forbidden', 'BLOCKED', 'this person does not accept your direct messages');
}
