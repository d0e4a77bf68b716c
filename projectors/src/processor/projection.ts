// What a projection is to the processor that runs it.
import type { CheckpointStore, RecordedEvent } from '@chat/platform';

export interface ProjectionContext {
  /** Queues a change for the change feed. It is published once the batch is committed, and never while rebuilding. */
  publish(topic: string, payload: unknown): void;
}

/**
 * A projection turns events into one read model. It must be idempotent: its repository records the
 * position it last applied to each document or row and ignores events at or below it, because the
 * processor delivers at least once (a crash between the read-model write and the checkpoint replays).
 */
export interface Projection {
  /** The checkpoint key: the read model's name, with `@<generation>` while a new generation is built. */
  readonly name: string;
  /** Whether it reacts to events of this type; other events only move its checkpoint. */
  handles(eventType: string): boolean;
  apply(event: RecordedEvent, context: ProjectionContext): Promise<void>;
}

/** Where a projection's read model and its checkpoint live. */
export interface ProjectionStore {
  readonly checkpoints: CheckpointStore;
  /**
   * Runs `apply` (the batch's read-model writes) and records `position` as the checkpoint: in one
   * transaction where the backend has them, otherwise checkpoint after the writes.
   */
  commit(projection: string, position: number, apply: () => Promise<void>): Promise<void>;
}
