// Benchmarks print one JSON object per line: {"bench": name, "value": n, "unit": u, ...details}.

export interface BenchResult {
  readonly bench: string;
  readonly value: number;
  readonly unit: string;
  readonly [detail: string]: unknown;
}

export function report(result: BenchResult): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Rounds a rate or a duration to three significant digits for printing. */
export function round(value: number): number {
  return Number(value.toPrecision(3));
}

export function perSecond(count: number, startedAt: bigint): number {
  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  return round(count / seconds);
}
