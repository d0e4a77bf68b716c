// How many messages wait for a member: the one rule behind `unreadCount` in the rooms list, shared by
// the read side and by the tests that check it.

/** What the count needs to know of a message. */
export interface UnreadCandidate {
  readonly seq: number;
  readonly authorId: string;
  readonly deleted: boolean;
}

export interface ReaderPosition {
  readonly userId: string;
  readonly lastReadSeq: number;
  /** The later of the reader's own history clear and a clear for everyone (0 when none). */
  readonly clearedUpToSeq: number;
}

/** Messages after the reader's read marker and history clear, by someone else, and not deleted. */
export function unreadCount(messages: Iterable<UnreadCandidate>, reader: ReaderPosition): number {
  const after = Math.max(reader.lastReadSeq, reader.clearedUpToSeq);
  let count = 0;
  for (const message of messages) {
    if (message.seq > after && message.authorId !== reader.userId && !message.deleted) count++;
  }
  return count;
}
