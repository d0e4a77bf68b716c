// What realtime records into the process's one registry (see platform's observability/metrics.ts).
import { metricsRegistry } from '@chat/platform';
import { Counter, Gauge, Histogram } from 'prom-client';

export const websocketConnections = new Gauge({
  name: 'realtime_websocket_connections',
  help: 'WebSocket connections open on this node, authenticated or not yet',
  registers: [metricsRegistry],
});

export const websocketFrames = new Counter({
  name: 'realtime_frames_total',
  help: 'WebSocket frames received (in) and sent (out)',
  labelNames: ['direction'] as const,
  registers: [metricsRegistry],
});

export const slowConsumersDropped = new Counter({
  name: 'realtime_slow_consumers_dropped_total',
  help: 'Connections closed because they did not read what was sent to them fast enough',
  registers: [metricsRegistry],
});

/** From a message's append (its `createdAt`, taken just before) to its live frame's hand-over to the sockets. */
export const deliveryLatencySeconds = new Histogram({
  name: 'realtime_delivery_latency_seconds',
  help: 'Time from a message being appended to its frame being sent to the WebSocket clients',
  // Fine around 100 ms, where the DeliveryLatencyHigh alert fires (infra/prometheus/alerts.yml).
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});
