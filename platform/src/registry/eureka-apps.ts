// Reads the registry as the gateway's renderer sees it: every application and its instances, from
// Eureka's REST API (`GET {EUREKA_URL}/apps`). Node built-ins only: the gateway image runs this
// without the rest of the platform's dependencies.

export interface RegisteredInstance {
  readonly instanceId: string;
  /** The IP address when the instance gave one: nginx must not depend on resolving names. */
  readonly address: string;
  readonly port: number;
  /** Eureka's status: UP, DOWN, STARTING, OUT_OF_SERVICE or UNKNOWN. */
  readonly status: string;
}

export interface RegisteredApp {
  /** Lower case: Eureka upper-cases the names services register with. */
  readonly name: string;
  readonly instances: readonly RegisteredInstance[];
}

export class RegistryUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryUnavailable';
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

// Eureka's older JSON encoding writes a one-element list as the element itself.
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);

function parseInstance(value: unknown): RegisteredInstance | undefined {
  if (!isObject(value)) return undefined;
  const portField = value.port;
  const port = Number(isObject(portField) ? portField.$ : portField);
  const address = typeof value.ipAddr === 'string' && value.ipAddr ? value.ipAddr : value.hostName;
  if (typeof address !== 'string' || !address || !Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  const instanceId = typeof value.instanceId === 'string' && value.instanceId ? value.instanceId : `${address}:${port}`;
  return { instanceId, address, port, status: typeof value.status === 'string' ? value.status : 'UNKNOWN' };
}

/** The applications in the body of `GET /eureka/apps` (JSON); an instance it cannot read is left out. */
export function parseApplications(body: unknown): RegisteredApp[] {
  const applications = isObject(body) ? body.applications : undefined;
  if (!isObject(applications)) throw new RegistryUnavailable('the registry answered without an "applications" object');
  return asList(applications.application).flatMap((application) => {
    if (!isObject(application) || typeof application.name !== 'string') return [];
    const instances = asList(application.instance).flatMap((instance) => parseInstance(instance) ?? []);
    return [{ name: application.name.toLowerCase(), instances }];
  });
}

/** Every registered application; throws RegistryUnavailable when Eureka does not answer in time. */
export async function fetchRegisteredApps(eurekaUrl: string, { timeoutMs = 2000 }: { timeoutMs?: number } = {}): Promise<RegisteredApp[]> {
  const url = `${eurekaUrl.replace(/\/+$/, '')}/apps`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is its cause.
    const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
    const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    throw new RegistryUnavailable(`GET ${url} failed: ${reason}`, { cause: error });
  }
  if (!response.ok) throw new RegistryUnavailable(`GET ${url} answered ${response.status}`);
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new RegistryUnavailable(`GET ${url} answered with a body that is not JSON`, { cause: error });
  }
  return parseApplications(body);
}
