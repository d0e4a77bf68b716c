// The seam between a resuming connection's catch-up on one room and that room's live frames.
//
// Projectors publish a change only after its read model commit (see projection-processor.ts), so a message is
// in the history read at catch-up, or its live frame arrives after that read began, or both, never neither.
// The connection therefore starts holding the room's live frames before it reads the history, sends the
// history, then the held frames, and drops every `message.created` at or below the last seq it sent: none is
// missed and none comes twice. Dropping goes on after the catch-up too ("guarding"), because a message the
// read already found may have its live frame still on the way (the change feed crosses the network); the
// guard ends with the first live `message.created` beyond the catch-up, after which every later one is too.
// Frames that change a message (`message.updated`, `reaction.updated`, …) are never dropped: they carry the
// new state whole, so applying one the read already reflected changes nothing on the client.

export interface LiveFrame {
  readonly type: string;
  readonly seq?: number;
}

interface Held {
  readonly frame: LiveFrame;
  readonly text: string;
}

export class RoomCatchUp {
  private held: Held[] | undefined = [];
  private throughSeq = 0;
  private seamPassed = false;

  constructor(private readonly maxHeld: number) {}

  /** Reading the history: live frames are held. */
  get reading(): boolean {
    return this.held !== undefined;
  }

  /** Whether live frames need no more checking: the connection may take the room's frames like any other. */
  get done(): boolean {
    return this.seamPassed;
  }

  /** Holds a live frame while reading; false when too many are held already (the room is then resynced). */
  hold(frame: LiveFrame, text: string): boolean {
    if (!this.held) throw new Error('Frames are held only while the history is read');
    if (this.held.length >= this.maxHeld) return false;
    this.held.push({ frame, text });
    return true;
  }

  /**
   * The history was sent up to `throughSeq` (the cursor, when there was nothing after it): the held frames to
   * send now, in order, without those it already covered.
   */
  finish(throughSeq: number): string[] {
    const held = this.held ?? [];
    this.held = undefined;
    this.throughSeq = throughSeq;
    return held.filter(({ frame }) => this.admits(frame)).map(({ text }) => text);
  }

  /** Every held frame, unchecked: for a room the client reloads instead (resync) or leaves. */
  release(): string[] {
    const held = (this.held ?? []).map(({ text }) => text);
    this.held = undefined;
    this.seamPassed = true;
    return held;
  }

  /** After `finish`: whether a live frame is new to the client. */
  admits(frame: LiveFrame): boolean {
    if (this.seamPassed || frame.type !== 'message.created' || typeof frame.seq !== 'number') return true;
    if (frame.seq <= this.throughSeq) return false;
    this.seamPassed = true;
    return true;
  }
}
