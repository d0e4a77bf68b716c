// Prometheus of the running cluster finds every service instance through its Eureka discovery (no
// static target list), scrapes each one, and has the alert rules loaded; the dashboards' and
// alerts' queries run there on metrics the services really export. Runs after the contract tests,
// whose traffic (a WebSocket push included) the metrics have recorded.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cluster, eventually } from './cluster';
import { expectEveryRegisteredInstanceScraped } from './prometheus';

interface PrometheusAnswer<Data> {
  status: 'success' | 'error';
  error?: string;
  data: Data;
}

async function prometheus<Data>(api: string, query?: string): Promise<PrometheusAnswer<Data>> {
  const url = `${cluster.prometheusUrl}/api/v1/${api}${query === undefined ? '' : `?query=${encodeURIComponent(query)}`}`;
  return (await (await fetch(url, { signal: AbortSignal.timeout(5000) })).json()) as PrometheusAnswer<Data>;
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset']);

/** The metric names a PromQL expression reads: what is left once strings, label lists, ranges and functions are set aside. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  return [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((match) => match[1] as string).filter((word) => !PROMQL_WORDS.has(word) && !/^\$/.test(word));
}

describe('monitoring', () => {
  it('scrapes every registered instance, found through Eureka, and every one is up', async () => {
    const targets = await expectEveryRegisteredInstanceScraped();
    expect(targets.map((target) => target.app).sort()).toEqual([
      'command-api',
      'command-api',
      'projectors',
      'query-api',
      'query-api',
      'realtime',
      'realtime',
    ]);
  });

  it('has the alert rules loaded: projection lag, error rate, send-to-deliver latency, instance down', async () => {
    const response = await fetch(`${cluster.prometheusUrl}/api/v1/rules?type=alert`);
    const body = (await response.json()) as { data: { groups: { rules: { name: string; health: string }[] }[] } };
    const rules = body.data.groups.flatMap((group) => group.rules);
    expect(rules.map((rule) => rule.name)).toEqual(
      expect.arrayContaining(['ProjectionLagHigh', 'ProjectionFailed', 'HttpErrorRateHigh', 'DeliveryLatencyHigh', 'InstanceDown', 'InstanceLost', 'ServiceUnavailable']),
    );
    // Evaluated at least once without an error.
    await eventually('every rule has been evaluated', async () => {
      const again = (await (await fetch(`${cluster.prometheusUrl}/api/v1/rules?type=alert`)).json()) as typeof body;
      const all = again.data.groups.flatMap((group) => group.rules);
      return all.every((rule) => rule.health === 'ok') ? true : undefined;
    }, 20_000, 500);
  });

  it('has the services’ own metrics from every instance', async () => {
    const series = await eventually('http_request_duration_seconds from both command-api instances', async () => {
      const query = encodeURIComponent('count by (instance) (http_request_duration_seconds_count{app="command-api"})');
      const answer = (await (await fetch(`${cluster.prometheusUrl}/api/v1/query?query=${query}`)).json()) as { data: { result: unknown[] } };
      return answer.data.result.length === 2 ? answer.data.result : undefined;
    }, 20_000, 500);
    expect(series).toHaveLength(2);
  });

  it('answers every dashboard query, from metrics the services export', async () => {
    const dashboards = path.resolve(__dirname, '../grafana/dashboards');
    const queries = readdirSync(dashboards)
      .filter((file) => file.endsWith('.json'))
      .flatMap((file) => {
        const board = JSON.parse(readFileSync(path.join(dashboards, file), 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
        return board.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `${file}: ${panel.title}`, expr: target.expr })));
      });
    // Grafana's variables, as "All" and its default interval.
    const asPrometheus = (expr: string) => expr.replaceAll('$__rate_interval', '1m').replaceAll('$app', '.*').replaceAll('$instance', '.*');
    // The delivery latency was recorded by the contract tests' push; wait for a scrape to bring it in.
    await eventually('the send-to-deliver latency has been scraped', async () => {
      const answer = await prometheus<{ result: unknown[] }>('query', 'sum(realtime_delivery_latency_seconds_count) > 0');
      return answer.data.result.length > 0 ? true : undefined;
    }, 20_000, 500);
    const exported = new Set((await prometheus<string[]>('label/__name__/values')).data);

    const problems: string[] = [];
    for (const { where, expr } of queries) {
      const answer = await prometheus('query', asPrometheus(expr));
      if (answer.status !== 'success') problems.push(`${where}: ${answer.error}`);
      for (const name of metricNames(expr)) if (!exported.has(name)) problems.push(`${where}: no metric ${name}`);
    }
    expect(problems).toEqual([]);
    expect(queries.length).toBeGreaterThan(20);
  });

  it('has every metric the alert rules read', async () => {
    const rules = readFileSync(path.resolve(__dirname, '../prometheus/alerts.yml'), 'utf8');
    const expressions = [...rules.matchAll(/expr: [|>-]*\s*([\s\S]*?)\n\s+(?:for|labels):/g)].map((match) => match[1] as string);
    expect(expressions.length).toBeGreaterThanOrEqual(7);
    const names = [...new Set(expressions.flatMap(metricNames))];
    const exported = new Set((await prometheus<string[]>('label/__name__/values')).data);
    expect(names.filter((name) => !exported.has(name))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['projection_lag_events', 'http_request_duration_seconds_count', 'realtime_delivery_latency_seconds_bucket', 'up']));
  });
});
