// The frames a WebSocket client may send (API.md, Realtime), validated before anything acts on them.
import { z } from 'zod';

const roomId = z.string().min(1).max(200);
// Each room's cursor is the last seq the client holds (0: none); what comes after it is sent before any live event.
const cursors = z.record(roomId, z.number().int().min(0));

export const clientFrameSchema = z.discriminatedUnion('type', [
  // With cursors, the connection resumes as it authenticates: no live frame can come before the catch-up.
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(4096), cursors: cursors.optional() }),
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('typing'), roomId, state: z.enum(['start', 'stop']) }),
  z.object({ type: z.literal('resume'), cursors }),
]);

export type ClientFrame = z.infer<typeof clientFrameSchema>;

/** The frame, or why it is not one. */
export function parseClientFrame(text: string): { frame: ClientFrame } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'A frame must be a JSON object' };
  }
  const parsed = clientFrameSchema.safeParse(value);
  if (parsed.success) return { frame: parsed.data };
  return { problem: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'frame'}: ${issue.message}`).join('; ') };
}
