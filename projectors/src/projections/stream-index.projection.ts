import { type StreamIndexRepository, streamCategory } from '@chat/platform';
import type { Projection } from '../processor/projection';

export const STREAM_INDEX = 'stream-index';

export function streamIndexProjection(name: string, repository: StreamIndexRepository): Projection {
  return {
    name,
    handles: () => true, // every event counts, whatever its type
    apply: (event) =>
      repository.recordEvent({
        streamId: event.streamId,
        category: streamCategory(event.streamId),
        revision: event.revision,
        type: event.type,
        position: event.position,
        createdAt: event.createdAt,
      }),
  };
}
