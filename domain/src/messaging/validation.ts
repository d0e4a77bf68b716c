// Pure checks on what people type into rooms and messages. Each returns a `VALIDATION_FAILED` error
// naming the field and the rule (the same `details` shape as identity's), or undefined when the input
// is fine. Texts are trimmed by the caller first; lengths count code points, so an emoji counts one.
import { assertNever, codePointLength, type DomainError, domainError } from '../shared/decider';
import { directRoomId } from './ids';

export const messageTextLength = { min: 1, max: 4000 } as const;
export const roomNameLength = { min: 1, max: 100 } as const;
export const roomTopicLength = { min: 0, max: 300 } as const;
export const roomAnnouncementLength = { min: 0, max: 2000 } as const;
export const reactionEmojiLength = { min: 1, max: 16 } as const;
export const clientMessageIdLength = { min: 1, max: 100 } as const;

interface Violation {
  readonly field: string;
  readonly rule: 'min_length' | 'max_length' | 'whitespace' | 'not_a_seq' | 'not_another_user' | 'not_the_direct_room_of_the_pair';
  readonly limit?: number;
}

export function validateMessageText(text: string): DomainError | undefined {
  return failed(lengthViolations('text', text, messageTextLength));
}

export function validateRoomName(name: string): DomainError | undefined {
  return failed(lengthViolations('name', name, roomNameLength));
}

export function validateRoomTopic(topic: string): DomainError | undefined {
  return failed(lengthViolations('topic', topic, roomTopicLength));
}

export function validateRoomAnnouncement(announcement: string): DomainError | undefined {
  return failed(lengthViolations('announcement', announcement, roomAnnouncementLength));
}

/**
 * Any emoji, or indeed any short mark: 1 to 16 code points with no whitespace. That holds a family
 * joined by zero-width joiners, a flag or a skin-toned gesture. Taken as sent, not normalised.
 */
export function validateReactionEmoji(emoji: string): DomainError | undefined {
  return failed([
    ...lengthViolations('emoji', emoji, reactionEmojiLength),
    ...(/\s/u.test(emoji) ? [{ field: 'emoji', rule: 'whitespace' } as const] : []),
  ]);
}

export function validateClientMessageId(clientMessageId: string): DomainError | undefined {
  return failed(lengthViolations('clientMessageId', clientMessageId, clientMessageIdLength));
}

/** A read marker: 0 (nothing read) or a message's seq. */
export function validateReadSeq(seq: number): DomainError | undefined {
  return failed(Number.isSafeInteger(seq) && seq >= 0 ? [] : [{ field: 'seq', rule: 'not_a_seq' }]);
}

/** A direct room is with someone else, and its id is the one `directRoomId` derives for the pair. */
export function validateDirectRoomPair(roomId: string, userId: string, otherUserId: string): DomainError | undefined {
  if (userId === otherUserId) return failed([{ field: 'userId', rule: 'not_another_user' }]);
  return failed(roomId === directRoomId(userId, otherUserId) ? [] : [{ field: 'roomId', rule: 'not_the_direct_room_of_the_pair' }]);
}

function validationFailed(violations: readonly Violation[]): DomainError {
  return domainError('validation', 'VALIDATION_FAILED', violations.map(describe).join('; '), violations);
}

function lengthViolations(field: string, text: string, { min, max }: { readonly min: number; readonly max: number }): Violation[] {
  const length = codePointLength(text);
  if (length < min) return [{ field, rule: 'min_length', limit: min }];
  if (length > max) return [{ field, rule: 'max_length', limit: max }];
  return [];
}

function failed(violations: readonly Violation[]): DomainError | undefined {
  return violations.length === 0 ? undefined : validationFailed(violations);
}

function describe({ field, rule, limit }: Violation): string {
  switch (rule) {
    case 'min_length': return `${field} must be at least ${String(limit)} characters`;
    case 'max_length': return `${field} must be at most ${String(limit)} characters`;
    case 'whitespace': return `${field} must not contain whitespace`;
    case 'not_a_seq': return `${field} must be a whole number, 0 or more`;
    case 'not_another_user': return `${field} must be someone else`;
    case 'not_the_direct_room_of_the_pair': return `${field} must be the direct room id of the two people`;
    default: return assertNever(rule);
  }
}
