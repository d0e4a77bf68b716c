// Prometheus of the running cluster finds every service instance through its Eureka discovery (no
// static target list), scrapes each one, and has the alert rules loaded.
import { cluster, eventually } from './cluster';
import { expectEveryRegisteredInstanceScraped } from './prometheus';

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
      expect.arrayContaining(['ProjectionLagHigh', 'ProjectionFailed', 'HttpErrorRateHigh', 'DeliveryLatencyHigh', 'InstanceDown', 'ServiceUnavailable']),
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
});
