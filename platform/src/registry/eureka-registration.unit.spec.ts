import { Writable } from 'node:stream';
import { createLogger } from '../observability/logger';
import { advertisedAddress, type EurekaRegistration, registerWithEureka } from './eureka-registration';
import { FakeEureka } from './testing/fake-eureka';

const quietLogger = () =>
  createLogger({
    serviceName: 'test',
    level: 'debug',
    destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });

const fastTiming = { renewalIntervalMs: 50, leaseDurationMs: 150, retryDelayMs: 50, requestTimeoutMs: 500, deregisterTimeoutMs: 1000 };

describe('registerWithEureka', () => {
  let eureka: FakeEureka;
  let registration: EurekaRegistration | undefined;

  beforeEach(async () => {
    eureka = await new FakeEureka().start();
  });

  afterEach(async () => {
    await registration?.deregister();
    registration = undefined;
    await eureka.stop();
  });

  const register = (signals: NodeJS.Signals[] = []) =>
    (registration = registerWithEureka(
      { serviceName: 'query-api', eurekaUrl: eureka.url, http: { host: '127.0.0.1', port: 0 } },
      { port: 4321, logger: quietLogger(), timing: fastTiming, signals },
    ));

  it('registers the instance with its health URLs, lease and Prometheus metadata', async () => {
    register();

    const call = await eureka.waitFor((c) => c.method === 'POST');

    expect(call.path).toBe('/eureka/apps/query-api');
    expect((call.body as { instance: unknown }).instance).toMatchObject({
      instanceId: '127.0.0.1:4321',
      app: 'query-api',
      hostName: '127.0.0.1',
      ipAddr: '127.0.0.1',
      vipAddress: 'query-api',
      status: 'UP',
      port: { $: 4321, '@enabled': true },
      healthCheckUrl: 'http://127.0.0.1:4321/health/ready',
      statusPageUrl: 'http://127.0.0.1:4321/health/live',
      homePageUrl: 'http://127.0.0.1:4321/',
      dataCenterInfo: { name: 'MyOwn' },
      leaseInfo: { renewalIntervalInSecs: 1, durationInSecs: 1 },
      metadata: { 'prometheus.scrape': 'true', 'prometheus.path': '/metrics', 'prometheus.port': '4321' },
    });
  });

  it('renews the lease with heartbeats, then deletes the instance on deregister', async () => {
    register();
    await eureka.waitFor((c) => c.method === 'PUT');
    await eureka.waitFor((c) => c.method === 'PUT' && eureka.callsOf('PUT').length >= 2);

    await registration!.deregister();

    expect(eureka.callsOf('PUT')[0]?.path).toBe('/eureka/apps/query-api/127.0.0.1:4321');
    expect(eureka.callsOf('DELETE').map((c) => c.path)).toEqual(['/eureka/apps/query-api/127.0.0.1:4321']);
    expect(eureka.instances.size).toBe(0);
    const heartbeatsAtDeregistration = eureka.callsOf('PUT').length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(eureka.callsOf('PUT')).toHaveLength(heartbeatsAtDeregistration);
  });

  it('deregisters on the first shutdown signal', async () => {
    register(['SIGUSR2']);
    await eureka.waitFor((c) => c.method === 'POST');
    await eureka.waitFor((c) => c.method === 'PUT');

    process.emit('SIGUSR2', 'SIGUSR2');

    const call = await eureka.waitFor((c) => c.method === 'DELETE');
    expect(call.path).toBe('/eureka/apps/query-api/127.0.0.1:4321');
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });

  it('keeps trying to register while Eureka refuses', async () => {
    eureka.script('POST', { status: 400 }, { status: 400 });

    register();

    await eureka.waitFor((c) => c.method === 'PUT');
    expect(eureka.callsOf('POST')).toHaveLength(3);
    expect(eureka.instances.has('QUERY-API/127.0.0.1:4321')).toBe(true);
  });

  it('registers again when a heartbeat finds the instance unknown (Eureka restarted)', async () => {
    register();
    await eureka.waitFor((c) => c.method === 'PUT');

    eureka.instances.clear();

    await eureka.waitFor((c) => c.method === 'POST' && eureka.callsOf('POST').length === 2);
    await eureka.waitFor((c) => c.method === 'PUT' && eureka.instances.size === 1);
  });

  it('sends no deletion for an instance that never got registered', async () => {
    eureka.script('POST', { status: 400 });
    register();
    await eureka.waitFor((c) => c.method === 'POST');

    await registration!.deregister();
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(eureka.callsOf('POST')).toHaveLength(1);
    expect(eureka.callsOf('DELETE')).toHaveLength(0);
  });

  it('does nothing without EUREKA_URL', async () => {
    const none = registerWithEureka({ serviceName: 'query-api', http: { host: '0.0.0.0', port: 0 } }, { port: 4321, logger: quietLogger() });

    expect(none.instanceId).toBeUndefined();
    await expect(none.deregister()).resolves.toBeUndefined();
    expect(eureka.calls).toHaveLength(0);
  });
});

describe('advertisedAddress', () => {
  const interfaces = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
    eth0: [
      { address: 'fe80::1', family: 'IPv6', internal: false },
      { address: '172.18.0.5', family: 'IPv4', internal: false },
    ],
  } as unknown as NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]>;

  it('is the bind address when the service binds to one', () => {
    expect(advertisedAddress('127.0.0.1', interfaces)).toBe('127.0.0.1');
  });

  it('is the first external IPv4 address when the service binds to every interface', () => {
    expect(advertisedAddress('0.0.0.0', interfaces)).toBe('172.18.0.5');
  });

  it('falls back to loopback on a machine with no external interface', () => {
    expect(advertisedAddress('::', { lo: interfaces.lo })).toBe('127.0.0.1');
  });
});
