import { LatencyHistogram } from './latency-histogram';
import { collapsed, highestSustainedRate, type LoadStep, unsustainedBecause } from './rate-search';
import { clientFrame, type Frame, FrameReader, OPCODES, stampOf } from './websocket-frames';

describe('LatencyHistogram', () => {
  it('answers a percentile within 1 % above the exact one, never below', () => {
    const histogram = new LatencyHistogram();
    const values = Array.from({ length: 10_000 }, (_, i) => 0.05 + i * 0.37);
    for (const value of values) histogram.record(value);
    for (const fraction of [0.5, 0.9, 0.99, 0.999]) {
      const exact = values[Math.ceil(fraction * values.length) - 1]!;
      const answer = histogram.percentile(fraction);
      expect(answer).toBeGreaterThanOrEqual(exact * 0.999_999);
      expect(answer).toBeLessThanOrEqual(exact * 1.01);
    }
  });

  it('never answers more than the largest latency recorded', () => {
    const histogram = new LatencyHistogram();
    histogram.record(12.3);
    expect(histogram.percentile(0.99)).toBe(12.3);
  });

  it('answers NaN when nothing was recorded', () => {
    expect(new LatencyHistogram().percentile(0.5)).toBeNaN();
  });

  it('merges what other processes recorded, through its JSON form', () => {
    const fast = new LatencyHistogram();
    const slow = new LatencyHistogram();
    for (let i = 0; i < 99; i++) fast.record(1);
    slow.record(500);
    const merged = new LatencyHistogram().merge(JSON.parse(JSON.stringify(fast.toJSON()))).merge(LatencyHistogram.from(slow.toJSON()));
    expect(merged.count).toBe(100);
    expect(merged.percentile(0.99)).toBeCloseTo(1, 1);
    expect(merged.percentile(1)).toBe(500);
    expect(merged.maxMs).toBe(500);
  });

  it('keeps latencies at or below zero (clock granularity) in its first bucket', () => {
    const histogram = new LatencyHistogram();
    histogram.record(-0.2);
    histogram.record(0);
    expect(histogram.percentile(1)).toBe(0);
  });
});

describe('the rate search', () => {
  const step = (rate: number, changes: Partial<LoadStep> = {}): LoadStep => ({
    rate,
    durationSeconds: 5,
    sent: rate * 5,
    failed: 0,
    expectedDeliveries: rate * 5 * 20,
    deliveries: rate * 5 * 20,
    p50Ms: 5,
    p99Ms: 40,
    ...changes,
  });

  it('sustains a step sent at its rate, delivered whole, with p99 within the limit', () => {
    expect(unsustainedBecause(step(1000))).toBeUndefined();
  });

  it('does not sustain a step whose p99 is over the limit', () => {
    expect(unsustainedBecause(step(1000, { p99Ms: 101 }))).toMatch(/p99 101 ms/);
  });

  it('does not sustain a step that could not be sent at its rate', () => {
    expect(unsustainedBecause(step(1000, { sent: 4000 }))).toMatch(/sent 4000 of 5000/);
  });

  it('does not sustain a step with frames missing', () => {
    expect(unsustainedBecause(step(1000, { deliveries: 99_000 }))).toMatch(/delivered 99000 of 100000/);
  });

  it('does not sustain a step with a failed send', () => {
    expect(unsustainedBecause(step(1000, { failed: 1 }))).toMatch(/1 sends failed/);
  });

  it('does not sustain a step without any latency measured', () => {
    expect(unsustainedBecause(step(1000, { p99Ms: Number.NaN }))).toBeDefined();
  });

  it('takes the highest rate that passed, also above one that failed', () => {
    const steps = [step(500), step(1000), step(1500, { p99Ms: 300 }), step(2000), step(2500, { p99Ms: 900 })];
    expect(highestSustainedRate(steps)?.rate).toBe(2000);
  });

  it('keeps the first passing try of a rate tried twice', () => {
    const steps = [step(500), step(1000, { p99Ms: 60 }), step(1000, { p99Ms: 50 })];
    expect(highestSustainedRate(steps)).toMatchObject({ rate: 1000, p99Ms: 60 });
  });

  it('finds nothing when every rate failed', () => {
    expect(highestSustainedRate([step(250, { p99Ms: 700 }), step(500, { p99Ms: 900 })])).toBeUndefined();
  });

  it('calls a step slow beyond the limit but whole not collapsed, and one that lost frames or queued for seconds collapsed', () => {
    expect(collapsed(step(1000, { p99Ms: 400 }))).toBe(false);
    expect(collapsed(step(1000, { p99Ms: 2500 }))).toBe(true);
    expect(collapsed(step(1000, { deliveries: 50_000 }))).toBe(true);
    expect(collapsed(step(1000, { sent: 3000 }))).toBe(true);
  });
});

describe('WebSocket frames', () => {
  const serverFrame = (opcode: number, payload: string): Buffer => {
    const data = Buffer.from(payload);
    if (data.length < 126) return Buffer.concat([Buffer.from([0x80 | opcode, data.length]), data]);
    if (data.length < 65_536) {
      const header = Buffer.from([0x80 | opcode, 126, 0, 0]);
      header.writeUInt16BE(data.length, 2);
      return Buffer.concat([header, data]);
    }
    const header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(data.length), 2);
    return Buffer.concat([header, data]);
  };
  const read = (reader: FrameReader, chunk: Buffer) => {
    const frames: { opcode: number; text: string }[] = [];
    reader.push(chunk, (frame: Frame) => frames.push({ opcode: frame.opcode, text: frame.payload.toString() }));
    return frames;
  };

  it('reads every frame of a chunk, of each length encoding', () => {
    const long = 'x'.repeat(300);
    const huge = 'y'.repeat(70_000);
    const frames = read(new FrameReader(), Buffer.concat([serverFrame(OPCODES.text, 'short'), serverFrame(OPCODES.text, long), serverFrame(OPCODES.text, huge), serverFrame(OPCODES.ping, '')]));
    expect(frames).toEqual([
      { opcode: OPCODES.text, text: 'short' },
      { opcode: OPCODES.text, text: long },
      { opcode: OPCODES.text, text: huge },
      { opcode: OPCODES.ping, text: '' },
    ]);
  });

  it('keeps a frame split across chunks until its last byte arrives', () => {
    const bytes = Buffer.concat([serverFrame(OPCODES.text, 'first'), serverFrame(OPCODES.text, 'z'.repeat(200))]);
    const reader = new FrameReader();
    const frames = [];
    for (let i = 0; i < bytes.length; i += 3) frames.push(...read(reader, bytes.subarray(i, i + 3)));
    expect(frames.map((f) => f.text)).toEqual(['first', 'z'.repeat(200)]);
  });

  it('writes a masked client frame that unmasks to its payload', () => {
    for (const payload of ['{"type":"ping"}', 'p'.repeat(200), 'q'.repeat(70_000)]) {
      const frame = clientFrame(OPCODES.text, payload);
      expect(frame[0]).toBe(0x81);
      expect(frame[1]! & 0x80).toBe(0x80);
      const length = frame[1]! & 0x7f;
      const header = length === 126 ? 4 : length === 127 ? 10 : 2;
      const mask = frame.subarray(header, header + 4);
      const unmasked = Buffer.from(frame.subarray(header + 4).map((byte, i) => byte ^ mask[i % 4]!));
      expect(unmasked.toString()).toBe(payload);
    }
  });

  it('reads the stamp of a message frame of either server without decoding it', () => {
    const ours = Buffer.from('{"type":"message.created","roomId":"r","seq":4,"data":{"id":"m","text":"rt 7 1234.567","deleted":false}}');
    const socketIo = Buffer.from('42["message.created",{"id":"m","roomId":"r","seq":4,"text":"rt 7 1234.567"}]');
    expect(stampOf(ours)).toEqual({ step: 7, sentAtMs: 1234.567 });
    expect(stampOf(socketIo)).toEqual({ step: 7, sentAtMs: 1234.567 });
    expect(stampOf(Buffer.from('{"type":"pong"}'))).toBeUndefined();
  });
});
