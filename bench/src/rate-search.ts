// The rule that turns a ladder of load steps into one figure: the highest offered rate the server
// sustained. A step is sustained when the senders really sent at the rate offered (a server that answers
// slowly holds them back), every frame due arrived, and the p99 of send→deliver stayed within the limit.

export interface LoadStep {
  /** Messages per second offered. */
  readonly rate: number;
  readonly durationSeconds: number;
  /** Messages the server accepted (201) and their rate over the step. */
  readonly sent: number;
  readonly failed: number;
  /** Frames the clients should have received for the messages sent, and did receive. */
  readonly expectedDeliveries: number;
  readonly deliveries: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface SustainedRule {
  readonly p99LimitMs: number;
  /** Of `rate × duration`, the share that must have been accepted. */
  readonly minSentShare: number;
  /** Of the frames due, the share that must have arrived. */
  readonly minDeliveredShare: number;
}

export const DEFAULT_SUSTAINED_RULE: SustainedRule = { p99LimitMs: 100, minSentShare: 0.95, minDeliveredShare: 0.999 };

/** Why a step was not sustained, or undefined when it was. */
export function unsustainedBecause(step: LoadStep, rule: SustainedRule = DEFAULT_SUSTAINED_RULE): string | undefined {
  const offered = step.rate * step.durationSeconds;
  if (step.failed > 0) return `${step.failed} sends failed`;
  if (step.sent < offered * rule.minSentShare) return `sent ${step.sent} of ${Math.round(offered)} offered`;
  if (step.deliveries < step.expectedDeliveries * rule.minDeliveredShare) return `delivered ${step.deliveries} of ${step.expectedDeliveries} frames`;
  if (!(step.p99Ms <= rule.p99LimitMs)) return `p99 ${step.p99Ms} ms > ${rule.p99LimitMs} ms`;
  return undefined;
}

/**
 * The highest rate of the ladder below its first failure: the steps run in increasing rates, and a rate
 * that passes only above one that failed is luck on a shared machine, not capacity. A rate tried again
 * (after a failure that may have been a neighbour's burst) passes when one of its tries did.
 */
export function highestSustainedRate(steps: readonly LoadStep[], rule: SustainedRule = DEFAULT_SUSTAINED_RULE): LoadStep | undefined {
  const rates = [...new Set(steps.map((step) => step.rate))].sort((a, b) => a - b);
  let best: LoadStep | undefined;
  for (const rate of rates) {
    const passed = steps.filter((step) => step.rate === rate && unsustainedBecause(step, rule) === undefined);
    if (passed.length === 0) break;
    best = passed[0];
  }
  return best;
}
