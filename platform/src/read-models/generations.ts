// A read model is built in generations: a rebuild fills generation N+1 beside the live generation N,
// then switches. Which generation is live is a counter that only moves forward, so it is kept in the
// checkpoint store beside the generations' checkpoints, under `<read model>#live`.
import type { CheckpointStore } from '../checkpoints/checkpoint-store';

export const FIRST_GENERATION = 1;

/** The checkpoint key of one generation of a read model. */
export function generationKey(readModel: string, generation: number): string {
  return `${readModel}@${generation}`;
}

function liveKey(readModel: string): string {
  return `${readModel}#live`;
}

/** Whether a checkpoint key is a live-generation pointer rather than a projection's checkpoint. */
export function isLivePointer(key: string): boolean {
  return key.endsWith('#live');
}

export async function liveGeneration(checkpoints: CheckpointStore, readModel: string): Promise<number> {
  return (await checkpoints.read(liveKey(readModel)))?.position ?? FIRST_GENERATION;
}

export async function switchLiveGeneration(checkpoints: CheckpointStore, readModel: string, generation: number): Promise<void> {
  await checkpoints.save(liveKey(readModel), generation);
}

/**
 * The query side's view of which generation of each read model is live: read from the checkpoint
 * store, kept for a short while so a query does not pay a lookup, and so a switch made by
 * `admin rebuild` reaches readers within `ttlMs`.
 */
export class LiveGenerations {
  private readonly cache = new Map<string, { generation: number; readAt: number }>();

  constructor(
    private readonly checkpoints: CheckpointStore,
    private readonly ttlMs = 1000,
  ) {}

  async of(readModel: string): Promise<number> {
    const cached = this.cache.get(readModel);
    if (cached && Date.now() - cached.readAt < this.ttlMs) return cached.generation;
    const generation = await liveGeneration(this.checkpoints, readModel);
    this.cache.set(readModel, { generation, readAt: Date.now() });
    return generation;
  }
}
