// Where each projection records how far through the global log it has got, and whether it is stuck.
// One implementation per read-store backend, so the checkpoint can live beside the read model it
// describes (and, where the backend allows, be written in the same transaction).

export interface ProjectionFailure {
  readonly position: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly streamId: string;
  readonly message: string;
  readonly failedAt: Date;
}

export interface ProjectionCheckpoint {
  /** The projection's key, e.g. `stream-index` or `stream-index@2` for a generation being rebuilt. */
  readonly projection: string;
  /** Position of the last event applied (0 before the first). */
  readonly position: number;
  /** Present while the projection is stopped on an event that failed. */
  readonly failure?: ProjectionFailure;
  readonly updatedAt: Date;
}

export interface CheckpointStore {
  read(projection: string): Promise<ProjectionCheckpoint | undefined>;
  list(): Promise<ProjectionCheckpoint[]>;
  /** Records progress and clears any failure. Never moves a checkpoint backwards. */
  save(projection: string, position: number): Promise<void>;
  /** Stops the projection at a failed event (its position stays where it was). */
  markFailed(projection: string, failure: ProjectionFailure): Promise<void>;
  /** Clears the failure so the processor tries the event again (`admin retry`). */
  clearFailure(projection: string): Promise<void>;
  /** Drops a projection's checkpoint (a rebuilt generation replaced, a test reset). */
  remove(projection: string): Promise<void>;
}
