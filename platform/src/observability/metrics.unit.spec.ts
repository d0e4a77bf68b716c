import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { includeMetricsOf, mergeThreadMetrics, projectionEventsProcessed, renderMetrics } from './metrics';

/** A registry as another thread would have it: the same metric definitions, its own values. */
function threadRegistry(): { registry: Registry; processed: Counter<'projection'>; appendSeconds: Histogram<'store'> } {
  const registry = new Registry();
  return {
    registry,
    processed: new Counter({ name: 'events_processed_total', help: 'Events processed', labelNames: ['projection'], registers: [registry] }),
    appendSeconds: new Histogram({ name: 'append_seconds', help: 'Append time', labelNames: ['store'], buckets: [0.01, 0.1], registers: [registry] }),
  };
}

/** The sample lines of one metric family in a text exposition. */
const samplesOf = (text: string, name: string) => text.split('\n').filter((line) => line.startsWith(name));

describe('mergeThreadMetrics', () => {
  it('adds up the values of a family per label set, and keeps the label sets only one thread has', async () => {
    const main = threadRegistry();
    const worker = threadRegistry();
    main.processed.inc({ projection: 'rooms' }, 2);
    worker.processed.inc({ projection: 'rooms' }, 3);
    worker.processed.inc({ projection: 'user-directory' }, 5);

    const merged = mergeThreadMetrics([await main.registry.getMetricsAsJSON(), await worker.registry.getMetricsAsJSON()]);

    expect(samplesOf(await merged.metrics(), 'events_processed_total')).toEqual([
      'events_processed_total{projection="rooms"} 5',
      'events_processed_total{projection="user-directory"} 5',
    ]);
  });

  it('adds up a histogram bucket by bucket', async () => {
    const main = threadRegistry();
    const worker = threadRegistry();
    main.appendSeconds.observe({ store: 'sqlite' }, 0.005);
    worker.appendSeconds.observe({ store: 'sqlite' }, 0.05);

    const merged = mergeThreadMetrics([await main.registry.getMetricsAsJSON(), await worker.registry.getMetricsAsJSON()]);

    expect(samplesOf(await merged.metrics(), 'append_seconds')).toEqual([
      'append_seconds_bucket{le="0.01",store="sqlite"} 1',
      'append_seconds_bucket{le="0.1",store="sqlite"} 2',
      'append_seconds_bucket{le="+Inf",store="sqlite"} 2',
      'append_seconds_sum{store="sqlite"} 0.055',
      'append_seconds_count{store="sqlite"} 2',
    ]);
  });

  it('keeps a family only one thread records, even one prom-client would leave out of a cluster’s', async () => {
    const main = new Registry();
    new Gauge({ name: 'started_at_seconds', help: 'Start time', aggregator: 'omit', registers: [main] }).set(1700000000);
    new Gauge({ name: 'event_loop_lag_seconds', help: 'Lag', aggregator: 'average', registers: [main] }).set(0.25);

    const merged = mergeThreadMetrics([await main.getMetricsAsJSON(), await threadRegistry().registry.getMetricsAsJSON()]);

    const text = await merged.metrics();
    expect(samplesOf(text, 'started_at_seconds')).toEqual(['started_at_seconds 1700000000']);
    expect(samplesOf(text, 'event_loop_lag_seconds')).toEqual(['event_loop_lag_seconds 0.25']);
  });
});

describe('renderMetrics with another thread included', () => {
  it('shows the other thread’s metrics beside this thread’s, computed when read, until it is left out again', async () => {
    const worker = new Registry();
    let lag = 7;
    new Gauge({
      name: 'projection_lag_events',
      help: 'Events between the head of the event log and the last one the projection applied',
      labelNames: ['projection'],
      registers: [worker],
      collect() {
        this.set({ projection: 'rooms' }, lag);
      },
    });
    projectionEventsProcessed.inc({ projection: 'rooms' }, 4);
    const leaveOut = includeMetricsOf(() => worker.getMetricsAsJSON());

    const first = (await renderMetrics()).body;
    lag = 0;
    const second = (await renderMetrics()).body;
    leaveOut();
    const alone = (await renderMetrics()).body;

    expect(samplesOf(first, 'projection_lag_events')).toEqual(['projection_lag_events{projection="rooms"} 7']);
    expect(samplesOf(second, 'projection_lag_events')).toEqual(['projection_lag_events{projection="rooms"} 0']);
    expect(samplesOf(first, 'projection_events_processed_total')).toEqual(['projection_events_processed_total{projection="rooms"} 4']);
    expect(first).toContain('process_cpu_user_seconds_total');
    expect(first.match(/^# TYPE projection_lag_events /gm)).toHaveLength(1);
    expect(samplesOf(alone, 'projection_lag_events')).toEqual([]);
  });

  it('fails when the other thread does not answer', async () => {
    const leaveOut = includeMetricsOf(() => Promise.reject(new Error('the thread has stopped')));

    await expect(renderMetrics()).rejects.toThrow('the thread has stopped');
    leaveOut();
  });
});
