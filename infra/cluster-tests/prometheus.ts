// What Prometheus of the running cluster scrapes, as its /api/v1/targets says.
import { cluster, eventually } from './cluster';

export interface ScrapeTarget {
  readonly app: string;
  /** `host:port`, as registered. */
  readonly address: string;
  readonly health: string;
  readonly eurekaInstanceId: string;
  readonly lastError: string;
}

export async function scrapeTargets(): Promise<ScrapeTarget[]> {
  const response = await fetch(`${cluster.prometheusUrl}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(2000) });
  const body = (await response.json()) as {
    data: { activeTargets: { labels: Record<string, string>; discoveredLabels: Record<string, string>; health: string; lastError: string }[] };
  };
  return body.data.activeTargets
    .filter((target) => target.labels.job === 'chat-services')
    .map((target) => ({
      app: target.labels.app ?? '',
      address: target.labels.instance ?? '',
      health: target.health,
      eurekaInstanceId: target.labels.eureka_instance_id ?? '',
      // Found by eureka_sd, not listed anywhere: the discovered labels carry Eureka's metadata.
      ...(target.discoveredLabels.__meta_eureka_app_name ? {} : { app: '(not from Eureka)' }),
      lastError: target.lastError,
    }));
}

/** Every instance the registry holds (all applications) is a target that Prometheus found in Eureka and scraped successfully. */
export async function expectEveryRegisteredInstanceScraped(timeoutMs = 30_000): Promise<ScrapeTarget[]> {
  let last: { registered: string[]; targets: ScrapeTarget[] } | undefined;
  try {
    return await eventually(
      'Prometheus scrapes every registered instance and each is up',
      async () => {
        const response = await fetch(`${cluster.eurekaUrl}/apps`, { headers: { accept: 'application/json' } });
        const body = (await response.json()) as { applications: { application?: unknown } };
        const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
        const registered = list(body.applications.application as { instance: { instanceId: string } | { instanceId: string }[] }[] | undefined)
          .flatMap((application) => list(application.instance).map((instance) => instance.instanceId))
          .sort();
        const targets = await scrapeTargets();
        last = { registered, targets };
        const scraped = targets.map((target) => target.eurekaInstanceId).sort();
        return JSON.stringify(scraped) === JSON.stringify(registered) && targets.every((target) => target.health === 'up') ? targets : undefined;
      },
      timeoutMs,
      500,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\nlast seen: ${JSON.stringify(last, null, 2)}`);
  }
}
