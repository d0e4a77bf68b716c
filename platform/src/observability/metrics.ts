// The process's one Prometheus registry and the metrics the rest of the code records into. Embedded
// mode runs every service in one process, so per-request metrics carry a `service` label; the
// default (process) metrics describe the process itself and are collected once. A worker thread has
// a registry of its own (modules are loaded once per thread): the main thread's `GET /metrics` shows
// it merged in (see `includeMetricsOf`).
import { isMainThread } from 'node:worker_threads';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const metricsRegistry = new Registry();

/** A registry's metrics as data (`getMetricsAsJSON`), which a thread can post to another. */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

// Only on the main thread: CPU, memory, open files and start time are the process's, so a worker thread's
// figures would be the same ones again and, merged, counted twice.
if (isMainThread) collectDefaultMetrics({ register: metricsRegistry });

/** Seconds one append to the event store takes, from call to durable; `store` names the adapter. */
export const eventStoreAppendSeconds = new Histogram({
  name: 'event_store_append_duration_seconds',
  help: 'Time to append events to the event store, until durable',
  labelNames: ['store'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});

/** How each running projection works out its lag, asked when the metrics are read (see `reportProjectionLag`). */
const projectionLags = new Map<string, () => Promise<number>>();

/**
 * How many events of the global log a projection still has to apply to reach the head, worked out when
 * the metrics are read rather than after every batch (a query of the log's head per batch and
 * projection), so that it also grows while a projection is stopped on a failed event.
 */
export const projectionLag = new Gauge({
  name: 'projection_lag_events',
  help: 'Events between the head of the event log and the last one the projection applied',
  labelNames: ['projection'] as const,
  registers: [metricsRegistry],
  async collect() {
    await Promise.all(
      [...projectionLags].map(async ([projection, lag]) => {
        try {
          this.set({ projection }, Math.max(0, await lag()));
        } catch {
          // The store cannot be reached right now: the last value stays, and readiness says why.
        }
      }),
    );
  },
});

/** Has `projection_lag_events{projection}` worked out by `lag` whenever the metrics are read, until the returned function is called. */
export function reportProjectionLag(projection: string, lag: () => Promise<number>): () => void {
  projectionLags.set(projection, lag);
  return () => {
    if (projectionLags.get(projection) === lag) projectionLags.delete(projection);
  };
}

export const projectionEventsProcessed = new Counter({
  name: 'projection_events_processed_total',
  help: 'Events a projection has applied (skipped duplicates included)',
  labelNames: ['projection'] as const,
  registers: [metricsRegistry],
});

/** 1 while a projection is stopped on an event it could not apply, 0 otherwise. */
export const projectionFailed = new Gauge({
  name: 'projection_failed',
  help: 'Whether the projection is stopped on a failing event (1) or running (0)',
  labelNames: ['projection'] as const,
  registers: [metricsRegistry],
});

/** `route` is the route's template (`/api/rooms/:id`), never the raw URL, so the label stays bounded. */
export const httpRequestSeconds = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time from request received to response sent',
  labelNames: ['service', 'method', 'route', 'status'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/** The route label of a request that matched no route. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface MetricsExposition {
  readonly contentType: string;
  readonly body: string;
}

/** Where the metrics of the process's other threads come from, asked whenever the metrics are read. */
const otherThreads = new Set<() => Promise<MetricsSnapshot>>();

/**
 * Has `renderMetrics` merge in what `metricsOf` answers (the metrics of another thread of the process) until the
 * returned function is called. When it fails, so does the read: a scrape without them would look like a
 * process whose projections went away.
 */
export function includeMetricsOf(metricsOf: () => Promise<MetricsSnapshot>): () => void {
  otherThreads.add(metricsOf);
  return () => void otherThreads.delete(metricsOf);
}

/**
 * One registry over the metrics of several threads of one process. Each thread counts its own requests, events
 * and appends, so a family's values add up per label set (a histogram's buckets included); a family only one
 * thread records keeps its values. prom-client's own aggregators are meant for a cluster's processes (one would
 * drop process_start_time_seconds, others average): here everything is summed, which is right because the
 * process-wide figures come from the main thread alone.
 */
export function mergeThreadMetrics(perThread: readonly MetricsSnapshot[]): Registry {
  return AggregatorRegistry.aggregate(perThread.map((metrics) => metrics.map((metric) => ({ ...metric, aggregator: 'sum' }))));
}

/** The registry in Prometheus's text format, as `GET /metrics` answers it, with the other threads' metrics merged in. */
export async function renderMetrics(): Promise<MetricsExposition> {
  if (otherThreads.size === 0) return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
  const perThread = await Promise.all([metricsRegistry.getMetricsAsJSON(), ...[...otherThreads].map((metricsOf) => metricsOf())]);
  return { contentType: metricsRegistry.contentType, body: await mergeThreadMetrics(perThread).metrics() };
}
