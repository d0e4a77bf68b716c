// What the room and message reads accept.
import { roomListItemSchema } from '@chat/platform';
import { z } from 'zod';

const seq = z.coerce.number().int().min(0);

export const roomParams = z.object({ id: z.uuid().meta({ description: 'A room id' }) });

export const historyQuery = z.object({
  before: seq.optional().meta({ description: 'Only messages before this seq (the latest page below it)' }),
  after: seq.optional().meta({ description: 'Only messages after this seq (the page right after it)' }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const roomListSchema = z.array(roomListItemSchema);
