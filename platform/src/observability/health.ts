// Liveness says the process answers; readiness says the stores it depends on answer too. Each
// readiness check gets its own time limit so one hung store cannot hang the probe.

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when the dependency answers; rejects (or never settles) when it does not. */
  check(): Promise<void>;
}

export interface ReadinessCheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: readonly ReadinessCheckResult[];
}

export const DEFAULT_READINESS_TIMEOUT_MS = 2000;

export const LIVENESS_BODY = { status: 'ok' } as const;

/** What `/health/ready` answers: 200 with `status: 'ok'` when ready, 503 with `status: 'unavailable'` otherwise. */
export function readinessResponse(report: ReadinessReport): { status: 200 | 503; body: { status: 'ok' | 'unavailable'; checks: readonly ReadinessCheckResult[] } } {
  return report.ready
    ? { status: 200, body: { status: 'ok', checks: report.checks } }
    : { status: 503, body: { status: 'unavailable', checks: report.checks } };
}

async function runOne(readinessCheck: ReadinessCheck, timeoutMs: number): Promise<ReadinessCheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // `Promise.resolve().then` turns a check that throws synchronously into a rejection.
    await Promise.race([Promise.resolve().then(() => readinessCheck.check()), timedOut]);
    return { name: readinessCheck.name, ok: true };
  } catch (error) {
    return { name: readinessCheck.name, ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once; ready only when all of them pass (no checks: ready). */
export async function runReadinessChecks(
  checks: readonly ReadinessCheck[],
  timeoutMs: number = DEFAULT_READINESS_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const results = await Promise.all(checks.map((check) => runOne(check, timeoutMs)));
  return { ready: results.every((result) => result.ok), checks: results };
}
