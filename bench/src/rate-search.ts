// The rule that turns a ladder of load steps into one figure: the highest offered rate the server
// sustained. A step is sustained when the senders really sent at the rate offered (a server that answers
// slowly holds them back), every frame due arrived, and the p99 of send→deliver stayed within the limit.
// The ladder itself climbs until the server has collapsed: beyond the latency limit, the steps still say
// how much it could carry at all.

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
 * The highest rate that passed. On a shared machine a step can fail for a neighbour's burst, but it cannot
 * pass by luck: above the server's capacity its queues grow, and with them the p99. So a rate that passed
 * counts even above one that failed. A rate tried twice keeps its first passing try.
 */
export function highestSustainedRate(steps: readonly LoadStep[], rule: SustainedRule = DEFAULT_SUSTAINED_RULE): LoadStep | undefined {
  let best: LoadStep | undefined;
  for (const step of steps) {
    if (unsustainedBecause(step, rule) !== undefined) continue;
    if (!best || step.rate > best.rate) best = step;
  }
  return best;
}

/** Whether the server no longer keeps up at all: it answers too slowly to be sent to at the rate, loses frames, or queues for seconds. */
export function collapsed(step: LoadStep, rule: SustainedRule = DEFAULT_SUSTAINED_RULE, p99CollapseMs = 2_000): boolean {
  return unsustainedBecause(step, { ...rule, p99LimitMs: p99CollapseMs }) !== undefined;
}
