// Latencies in buckets 1 % apart from 10 µs up: a few hundred numbers whatever the count, so the load
// generator's processes can send theirs to the bench and have them merged, and a percentile read from
// it is within 1 % above the exact one (never below: a bucket answers with its upper bound).
const SMALLEST_MS = 0.01;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** 10 µs · 1.01^2400 ≈ 2.3 hours: anything slower lands in the last bucket. */
const BUCKETS = 2400;

export interface LatencyHistogramData {
  /** [bucket, count] for each bucket that holds something. */
  readonly buckets: readonly (readonly [number, number])[];
  readonly count: number;
  readonly maxMs: number;
}

export class LatencyHistogram {
  private readonly counts = new Map<number, number>();
  private total = 0;
  private max = 0;

  static from(data: LatencyHistogramData): LatencyHistogram {
    const histogram = new LatencyHistogram();
    for (const [bucket, count] of data.buckets) histogram.counts.set(bucket, (histogram.counts.get(bucket) ?? 0) + count);
    histogram.total = data.count;
    histogram.max = data.maxMs;
    return histogram;
  }

  get count(): number {
    return this.total;
  }

  get maxMs(): number {
    return this.max;
  }

  record(ms: number): void {
    const value = Math.max(0, ms);
    const bucket = bucketOf(value);
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
    this.total += 1;
    if (value > this.max) this.max = value;
  }

  merge(other: LatencyHistogram | LatencyHistogramData): this {
    const data = other instanceof LatencyHistogram ? other.toJSON() : other;
    for (const [bucket, count] of data.buckets) this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + count);
    this.total += data.count;
    if (data.maxMs > this.max) this.max = data.maxMs;
    return this;
  }

  /** The latency that `fraction` (0.5, 0.99) of the recorded ones do not exceed; NaN when there are none. */
  percentile(fraction: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(fraction * this.total));
    let seen = 0;
    for (const bucket of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(bucket)!;
      if (seen >= rank) return Math.min(upperBoundOf(bucket), this.max);
    }
    return this.max;
  }

  toJSON(): LatencyHistogramData {
    return { buckets: [...this.counts.entries()], count: this.total, maxMs: this.max };
  }
}

function bucketOf(ms: number): number {
  if (ms <= SMALLEST_MS) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / SMALLEST_MS) / LOG_GROWTH));
}

function upperBoundOf(bucket: number): number {
  return SMALLEST_MS * GROWTH ** bucket;
}
