// Registers a service's process with Eureka, the distributed deployment's registry, so the gateway
// and Prometheus find it: one instance per process, kept by heartbeats, removed on the first
// SIGTERM/SIGINT (before the service starts draining, so the gateway stops sending it requests) or
// when `deregister` is called. Without EUREKA_URL (embedded mode) it does nothing.
import os from 'node:os';
import { Eureka, type EurekaClient } from 'eureka-js-client';
import type { Config } from '../config/config';
import { SHUTDOWN_SIGNALS } from '../http/shutdown-signals';
import type { Logger } from '../observability/logger';

export interface RegistrationTiming {
  /** How often the instance renews its lease. */
  readonly renewalIntervalMs: number;
  /** How long Eureka keeps the instance after the last renewal (Eureka itself waits twice this). */
  readonly leaseDurationMs: number;
  /** The wait before trying again when Eureka refused or could not be reached at registration. */
  readonly retryDelayMs: number;
  /** One request to Eureka gives up after this long (the client library sets no limit of its own). */
  readonly requestTimeoutMs: number;
  /** `deregister` resolves after this long even if Eureka has not answered: the lease then expires. */
  readonly deregisterTimeoutMs: number;
}

/**
 * A small cluster wants departures noticed in seconds. A renewal every 5 s costs Eureka about one
 * request a second for the whole cluster. Eureka lets a lease run for twice its duration after the
 * last renewal (a quirk it keeps for compatibility), so a 10 s lease means 20 s of silence, three
 * missed renewals, before an instance that crashed is dropped (measured: gone 15 to 22 s after a
 * SIGKILL). A clean stop deregisters at once. See infra/eureka/src/main/resources/application.yml.
 */
export const DEFAULT_REGISTRATION_TIMING: RegistrationTiming = {
  renewalIntervalMs: 5_000,
  leaseDurationMs: 10_000,
  retryDelayMs: 5_000,
  requestTimeoutMs: 2_000,
  deregisterTimeoutMs: 3_000,
};

/** Where Prometheus's eureka_sd finds what to scrape; it turns each key into `__meta_eureka_app_instance_metadata_prometheus_<key>`. */
export const PROMETHEUS_METADATA = { scrape: 'prometheus.scrape', path: 'prometheus.path', port: 'prometheus.port' } as const;

export interface EurekaRegistrationOptions {
  /** The port the service actually listens on (the configured one may be 0). */
  readonly port: number;
  readonly logger: Logger;
  /**
   * The address the gateway and Prometheus reach this instance at. Default: the configured HOST
   * when it names one address, otherwise this machine's first non-loopback IPv4 address (the
   * container's own address under Docker).
   */
  readonly advertisedHost?: string;
  readonly metricsPath?: string;
  /** Signals that deregister at once; the service's own shutdown still runs on them. */
  readonly signals?: readonly NodeJS.Signals[];
  readonly timing?: Partial<RegistrationTiming>;
}

export interface EurekaRegistration {
  /** `host:port`, or undefined when there is no registry to register with. */
  readonly instanceId: string | undefined;
  /** Removes the instance from the registry; calling it again returns the same promise. Never rejects. */
  deregister(): Promise<void>;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** The address other machines reach this process at (see `advertisedHost`). */
export function advertisedAddress(bindHost: string, interfaces = os.networkInterfaces()): string {
  if (!WILDCARD_HOSTS.has(bindHost)) return bindHost;
  for (const addresses of Object.values(interfaces)) {
    const external = addresses?.find((address) => address.family === 'IPv4' && !address.internal);
    if (external) return external.address;
  }
  return '127.0.0.1';
}

export interface InstanceDescription {
  readonly serviceName: string;
  readonly host: string;
  readonly port: number;
  readonly metricsPath: string;
  readonly timing: RegistrationTiming;
}

/**
 * The instance as Eureka stores it. The host name is the address itself: Prometheus's eureka_sd
 * scrapes `hostName:port`, and a container's own host name is not resolvable from the others.
 */
export function eurekaInstance({ serviceName, host, port, metricsPath, timing }: InstanceDescription): EurekaClient.EurekaInstanceConfig {
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    instanceId: `${host}:${port}`,
    app: serviceName,
    hostName: host,
    ipAddr: host,
    vipAddress: serviceName,
    port: { $: port, '@enabled': true },
    securePort: { $: 443, '@enabled': false },
    homePageUrl: `${base}/`,
    statusPageUrl: `${base}/health/live`,
    healthCheckUrl: `${base}/health/ready`,
    dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
    leaseInfo: {
      renewalIntervalInSecs: Math.max(1, Math.round(timing.renewalIntervalMs / 1000)),
      durationInSecs: Math.max(1, Math.round(timing.leaseDurationMs / 1000)),
    },
    metadata: {
      [PROMETHEUS_METADATA.scrape]: 'true',
      [PROMETHEUS_METADATA.path]: metricsPath,
      [PROMETHEUS_METADATA.port]: String(port),
    },
  };
}

/** The client library logs with console-style arguments; this writes them as structured lines. */
function libraryLogger(logger: Logger): NonNullable<EurekaClient.EurekaConfig['logger']> {
  const write =
    (level: 'warn' | 'info' | 'debug') =>
    (...args: unknown[]): void => {
      const err = args.find((arg): arg is Error => arg instanceof Error);
      const message = args
        .filter((arg) => !(arg instanceof Error))
        .map((arg) => (typeof arg === 'string' ? arg.trim() : JSON.stringify(arg)))
        .join(' ');
      logger[level](err ? { err } : {}, message);
    };
  // An unreachable registry is the registry's outage, not this service's error: warn, not error.
  // Its info lines repeat what registerWithEureka logs with more context.
  return { error: write('warn'), warn: write('warn'), info: write('debug'), debug: write('debug') };
}

const NOT_REGISTERED: EurekaRegistration = { instanceId: undefined, deregister: () => Promise.resolve() };

/**
 * Registers the process when EUREKA_URL is set and keeps it registered: a first registration that
 * fails (the registry not up yet) is retried until it succeeds, and a heartbeat that finds the
 * instance unknown (the registry restarted) registers it again. Returns at once; never throws.
 */
export function registerWithEureka(
  config: Pick<Config, 'serviceName' | 'eurekaUrl' | 'http'>,
  options: EurekaRegistrationOptions,
): EurekaRegistration {
  if (!config.eurekaUrl) return NOT_REGISTERED;
  const timing = { ...DEFAULT_REGISTRATION_TIMING, ...options.timing };
  const logger = options.logger.child({ component: 'eureka-registration' });
  const instance = eurekaInstance({
    serviceName: config.serviceName,
    host: options.advertisedHost ?? advertisedAddress(config.http.host),
    port: options.port,
    metricsPath: options.metricsPath ?? '/metrics',
    timing,
  });
  const instanceId = instance.instanceId as string;
  const client = new Eureka({
    instance,
    eureka: {
      serviceUrls: { default: [`${config.eurekaUrl.replace(/\/+$/, '')}/apps/`] },
      heartbeatInterval: timing.renewalIntervalMs,
      registerWithEureka: true,
      // Services never look each other up: only the gateway and Prometheus read the registry.
      fetchRegistry: false,
      maxRetries: 2,
      requestRetryDelay: 250,
    },
    logger: libraryLogger(logger),
    requestMiddleware: (request: object, done: (request: object) => void) => done({ ...request, timeout: timing.requestTimeoutMs }),
  });

  let state: 'registering' | 'registered' | 'stopping' = 'registering';
  let retryTimer: NodeJS.Timeout | undefined;
  let deregistering: Promise<void> | undefined;

  const register = (): void => {
    client.start((error?: Error) => {
      if (!error) {
        if (state === 'stopping') {
          // deregister() came while this registration was in flight: undo it.
          client.stop(() => undefined);
          return;
        }
        state = 'registered';
        logger.info({ instanceId, eurekaUrl: config.eurekaUrl }, 'Registered with Eureka');
        return;
      }
      if (state === 'stopping') return;
      logger.warn({ err: error, instanceId, retryInMs: timing.retryDelayMs }, 'Could not register with Eureka; trying again');
      retryTimer = setTimeout(register, timing.retryDelayMs);
      // The retry alone must not keep a stopping process alive.
      retryTimer.unref();
    });
  };

  const onSignal = (): void => void deregister();
  const signals = options.signals ?? SHUTDOWN_SIGNALS;

  const deregister = (): Promise<void> =>
    (deregistering ??= new Promise<void>((resolve) => {
      for (const signal of signals) process.off(signal, onSignal);
      clearTimeout(retryTimer);
      const wasRegistered = state === 'registered';
      state = 'stopping';
      if (!wasRegistered) {
        resolve();
        return;
      }
      const giveUp = setTimeout(() => {
        logger.warn({ instanceId, afterMs: timing.deregisterTimeoutMs }, 'Eureka did not confirm the deregistration; the lease will expire instead');
        resolve();
      }, timing.deregisterTimeoutMs);
      giveUp.unref();
      // Stops the heartbeats and deletes the instance.
      client.stop((error?: Error) => {
        clearTimeout(giveUp);
        if (error) logger.warn({ err: error, instanceId }, 'Deregistering from Eureka failed; the lease will expire instead');
        else logger.info({ instanceId }, 'Deregistered from Eureka');
        resolve();
      });
    }));

  for (const signal of signals) process.on(signal, onSignal);
  register();
  return { instanceId, deregister };
}
