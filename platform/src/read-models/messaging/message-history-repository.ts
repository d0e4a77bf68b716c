// The message history read model: every room's messages by `seq`, as `GET /api/rooms/:id/messages`
// pages through them, with their reactions, edits and deletions. A deleted message stays in its place
// (so seqs stay gapless for the client) but keeps neither its text nor its reactions.
// Every write carries its event's global position; a message ignores positions at or below the last
// one it applied, so a replayed event changes nothing.
import type { ForwardOrigin } from '@chat/domain';

export interface MessageRecord {
  readonly roomId: string;
  readonly seq: number;
  readonly messageId: string;
  readonly authorId: string;
  /** Empty once deleted. */
  readonly text: string;
  readonly createdAt: string;
  readonly editedAt: string | null;
  readonly deleted: boolean;
  readonly replyTo: string | null;
  readonly forwardedFrom: ForwardOrigin | null;
  /** Emoji → who reacted with it, in the order they did; empty once deleted. */
  readonly reactions: Reactions;
}

export type Reactions = Readonly<Record<string, readonly string[]>>;

export interface SentMessage {
  readonly roomId: string;
  readonly seq: number;
  readonly messageId: string;
  readonly authorId: string;
  readonly text: string;
  readonly createdAt: string;
  readonly replyTo?: string;
  readonly forwardedFrom?: ForwardOrigin;
}

/** Where a changed message sits and who wrote it: what the unread counts and the change feed need. */
export interface MessagePlace {
  readonly seq: number;
  readonly authorId: string;
}

export interface MessageDeletion extends MessagePlace {
  /**
   * The position of the event that deleted it. When it is the position being applied, this event is
   * the deletion (also when it is replayed); otherwise the message had been deleted before.
   */
  readonly deletedAtPosition: number;
}

export interface ReactionChange {
  readonly emoji: string;
  readonly userId: string;
  readonly reacted: boolean;
}

/**
 * A page of history. `afterSeq` is exclusive and already includes the reader's history clear;
 * `beforeSeq` (exclusive) is optional. `from: 'newest'` takes the `limit` messages nearest `beforeSeq`
 * (the latest page), `'oldest'` the `limit` messages right after `afterSeq`. Pages come in seq order.
 */
export interface HistoryWindow {
  readonly afterSeq: number;
  readonly beforeSeq?: number;
  readonly limit: number;
  readonly from: 'oldest' | 'newest';
}

/** Messages after a reader's marker that are not deleted: all of them, and those the reader wrote. */
export interface LiveMessagesAfter {
  readonly live: number;
  readonly own: number;
}

export interface MessageHistoryRepository {
  /** Records a message; a message already recorded at its seq is left as it is. */
  recordSent(message: SentMessage, position: number): Promise<void>;
  /** The message edited, or undefined when the room has no such message. */
  recordEdited(roomId: string, messageId: string, text: string, at: string, position: number): Promise<MessagePlace | undefined>;
  /** Marks the message deleted and drops its text and reactions. Undefined when the room has no such message. */
  recordDeleted(roomId: string, messageId: string, position: number): Promise<MessageDeletion | undefined>;
  /** The message's reactions after the change, or undefined when the room has no such message. */
  recordReaction(roomId: string, messageId: string, change: ReactionChange, position: number): Promise<(MessagePlace & { reactions: Reactions }) | undefined>;
  page(roomId: string, window: HistoryWindow): Promise<MessageRecord[]>;
  /** Counts what follows `afterSeq` for the unread counts (see room-list-repository.ts). */
  liveAfter(roomId: string, afterSeq: number, readerId: string): Promise<LiveMessagesAfter>;
  /** Removes the read model's storage (a replaced generation). */
  drop(): Promise<void>;
}

/**
 * Reactions after one person added or took back one emoji, as the room's state keeps them: reactors
 * in the order they came, an emoji nobody uses any more dropped, a repeated change changing nothing.
 */
export function withReactionChange(reactions: Reactions, { emoji, userId, reacted }: ReactionChange): Reactions {
  const reactors = reactions[emoji] ?? [];
  if (reacted) return reactors.includes(userId) ? reactions : { ...reactions, [emoji]: [...reactors, userId] };
  if (!reactors.includes(userId)) return reactions;
  const { [emoji]: _removed, ...others } = reactions;
  const remaining = reactors.filter((id) => id !== userId);
  return remaining.length === 0 ? others : { ...others, [emoji]: remaining };
}

/** The seq below which every message lies, for a window without `beforeSeq`. */
export const NO_UPPER_SEQ = Number.MAX_SAFE_INTEGER;
