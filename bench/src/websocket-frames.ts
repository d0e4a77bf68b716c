// The little of RFC 6455 the load generator's lean clients need: reading the frames a server sends
// (never masked) out of a TCP byte stream, and writing the masked frames a client must send. A `ws` or
// socket.io-client client spends 10–20 µs of CPU per frame received (stream machinery, string decoding,
// JSON.parse, events); with the generator sharing two cores with the server under test, that was what
// bounded the fan-out figures. These clients look at the bytes only, so the server is what is measured.
import { randomBytes } from 'node:crypto';

export const OPCODES = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface Frame {
  readonly opcode: number;
  readonly payload: Buffer;
}

/** Accumulates bytes and hands out each complete frame once; a partial frame waits for the rest. */
export class FrameReader {
  private pending: Buffer | undefined;

  /** The complete frames that `chunk` finishes, in order. */
  push(chunk: Buffer, onFrame: (frame: Frame) => void): void {
    let buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let offset = 0;
    for (;;) {
      const available = buffer.length - offset;
      if (available < 2) break;
      const second = buffer[offset + 1]!;
      let length = second & 0x7f;
      let header = 2;
      if (length === 126) {
        if (available < 4) break;
        length = buffer.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (available < 10) break;
        length = Number(buffer.readBigUInt64BE(offset + 2));
        header = 10;
      }
      if (second & 0x80) header += 4; // a masked frame: servers never send one, but its length still counts
      if (available < header + length) break;
      onFrame({ opcode: buffer[offset]! & 0x0f, payload: buffer.subarray(offset + header, offset + header + length) });
      offset += header + length;
    }
    if (offset < buffer.length) {
      // Copied, so that the chunk it came from is not kept alive whole.
      buffer = buffer.subarray(offset);
      this.pending = Buffer.from(buffer);
    }
  }
}

/** A client's frame (FIN set, masked with a fresh key), as RFC 6455 §5.3 requires of every client frame. */
export function clientFrame(opcode: number, payload: Buffer | string): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const length = data.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.alloc(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (header === 2) frame[1] = 0x80 | length;
  else if (header === 4) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, header);
  for (let i = 0; i < length; i++) frame[header + 4 + i] = data[i]! ^ mask[i & 3]!;
  return frame;
}

const STAMP = Buffer.from('"rt ');

/**
 * The step and send time a message frame carries in its text (`"rt <step> <ms>"`), read from the bytes
 * without decoding the frame; undefined for a frame without one.
 */
export function stampOf(payload: Buffer): { step: number; sentAtMs: number } | undefined {
  const at = payload.indexOf(STAMP);
  if (at < 0) return undefined;
  const end = payload.indexOf(0x22, at + STAMP.length); // the closing quote
  if (end < 0) return undefined;
  const [step, sentAt] = payload.toString('latin1', at + STAMP.length, end).split(' ');
  const parsed = { step: Number(step), sentAtMs: Number(sentAt) };
  return Number.isFinite(parsed.step) && Number.isFinite(parsed.sentAtMs) ? parsed : undefined;
}
