import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseApplications, RegistryUnavailable } from './eureka-apps';
import { PLACEHOLDER_SERVER, renderUpstreams } from './nginx-upstreams';
import { FakeEureka } from './testing/fake-eureka';
import { type NginxControl, syncUpstreams, type SyncLogger, watchUpstreams } from './upstream-sync';

const silent: SyncLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const instance = (app: string, address: string, port: number, status = 'UP') => ({
  instanceId: `${address}:${port}`,
  app: app.toUpperCase(),
  hostName: `${app}-host`,
  ipAddr: address,
  status,
  port: { $: port, '@enabled': 'true' },
});

describe('parseApplications', () => {
  it('reads every application and instance, preferring the IP address to the host name', () => {
    const apps = parseApplications({
      applications: {
        application: [
          { name: 'QUERY-API', instance: [instance('query-api', '10.0.0.1', 8080), instance('query-api', '10.0.0.2', 8080, 'DOWN')] },
        ],
      },
    });

    expect(apps).toEqual([
      {
        name: 'query-api',
        instances: [
          { instanceId: '10.0.0.1:8080', address: '10.0.0.1', port: 8080, status: 'UP' },
          { instanceId: '10.0.0.2:8080', address: '10.0.0.2', port: 8080, status: 'DOWN' },
        ],
      },
    ]);
  });

  it('accepts the older encoding, where a single application or instance is not in a list', () => {
    const apps = parseApplications({ applications: { application: { name: 'REALTIME', instance: instance('realtime', '10.0.0.3', 9000) } } });

    expect(apps).toEqual([{ name: 'realtime', instances: [{ instanceId: '10.0.0.3:9000', address: '10.0.0.3', port: 9000, status: 'UP' }] }]);
  });

  it('reads an empty registry', () => {
    expect(parseApplications({ applications: { versions__delta: '1', application: [] } })).toEqual([]);
  });

  it('refuses a body that is not a registry', () => {
    expect(() => parseApplications({ error: 'nope' })).toThrow(RegistryUnavailable);
  });
});

describe('renderUpstreams', () => {
  it('renders one least_conn pool per application, with only the instances that are UP', () => {
    const text = renderUpstreams([
      {
        name: 'query-api',
        instances: [
          { instanceId: 'b', address: '10.0.0.2', port: 8080, status: 'UP' },
          { instanceId: 'a', address: '10.0.0.1', port: 8080, status: 'UP' },
          { instanceId: 'c', address: '10.0.0.3', port: 8080, status: 'STARTING' },
        ],
      },
    ]);

    expect(text).toContain(
      [
        'upstream query_api {',
        '    zone query_api 64k;',
        '    least_conn;',
        '    keepalive 16;',
        '    server 10.0.0.1:8080 max_fails=2 fail_timeout=10s;',
        '    server 10.0.0.2:8080 max_fails=2 fail_timeout=10s;',
        '}',
      ].join('\n'),
    );
    expect(text).not.toContain('10.0.0.3');
  });

  it('gives a required application with nothing UP a placeholder server marked down', () => {
    const text = renderUpstreams([{ name: 'realtime', instances: [{ instanceId: 'x', address: '10.0.0.9', port: 1, status: 'DOWN' }] }], ['command-api', 'realtime']);

    expect(text).toMatch(new RegExp(`upstream command_api \\{[^}]*${PLACEHOLDER_SERVER}`));
    expect(text).toMatch(new RegExp(`upstream realtime \\{[^}]*${PLACEHOLDER_SERVER}`));
  });

  it('renders the same text for the same registry, whatever the order', () => {
    const a = { instanceId: 'a', address: '10.0.0.1', port: 1, status: 'UP' };
    const b = { instanceId: 'b', address: '10.0.0.2', port: 1, status: 'UP' };

    expect(renderUpstreams([{ name: 'x', instances: [a, b] }, { name: 'y', instances: [] }])).toBe(
      renderUpstreams([{ name: 'y', instances: [] }, { name: 'x', instances: [b, a] }]),
    );
  });
});

describe('syncUpstreams', () => {
  let eureka: FakeEureka;
  let dir: string;
  let file: string;
  let nginx: NginxControl & { tests: number; reloads: number; refuse: boolean };

  beforeEach(async () => {
    eureka = await new FakeEureka().start();
    dir = await mkdtemp(path.join(os.tmpdir(), 'upstreams-'));
    file = path.join(dir, 'upstreams.conf');
    nginx = {
      tests: 0,
      reloads: 0,
      refuse: false,
      test: async () => {
        nginx.tests += 1;
        if (nginx.refuse) throw new Error('nginx: [emerg] refused');
      },
      reload: async () => void (nginx.reloads += 1),
    };
  });

  afterEach(async () => {
    await eureka.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const register = (app: string, address: string, port: number) =>
    eureka.instances.set(`${app.toUpperCase()}/${address}:${port}`, instance(app, address, port));

  const options = () => ({ eurekaUrl: eureka.url, outputFile: file, requiredApps: ['query-api'], nginx, logger: silent });

  it('writes the registry as upstreams and reloads nginx once it accepts them', async () => {
    register('query-api', '127.0.0.1', 8081);

    const outcome = await syncUpstreams(options());

    expect(outcome.kind).toBe('updated');
    expect(await readFile(file, 'utf8')).toContain('server 127.0.0.1:8081 max_fails=2 fail_timeout=10s;');
    expect([nginx.tests, nginx.reloads]).toEqual([1, 1]);
    expect(eureka.callsOf('GET').map((c) => c.path)).toEqual(['/eureka/apps']);
  });

  it('leaves the file and nginx alone while the registry is unchanged', async () => {
    register('query-api', '127.0.0.1', 8081);
    await syncUpstreams(options());

    const outcome = await syncUpstreams(options());

    expect(outcome.kind).toBe('unchanged');
    expect(nginx.reloads).toBe(1);
  });

  it('puts the previous file back when nginx refuses the new one', async () => {
    register('query-api', '127.0.0.1', 8081);
    await syncUpstreams(options());
    const accepted = await readFile(file, 'utf8');
    register('query-api', '127.0.0.1', 8082);
    nginx.refuse = true;

    await expect(syncUpstreams(options())).rejects.toThrow('refused');

    expect(await readFile(file, 'utf8')).toBe(accepted);
    expect(nginx.reloads).toBe(1);
    expect(await readdir(dir)).toEqual(['upstreams.conf']);
  });

  it('writes placeholders when the registry does not answer and there is no file yet, so nginx can start', async () => {
    await eureka.stop();

    const outcome = await syncUpstreams(options());

    expect(outcome.kind).toBe('registry-unavailable');
    expect(await readFile(file, 'utf8')).toContain(PLACEHOLDER_SERVER);
    expect(nginx.reloads).toBe(0);
  });

  it('keeps the last upstreams while the registry does not answer', async () => {
    await writeFile(file, 'upstream query_api { server 127.0.0.1:8081; }\n');
    await eureka.stop();

    await syncUpstreams(options());

    expect(await readFile(file, 'utf8')).toBe('upstream query_api { server 127.0.0.1:8081; }\n');
  });

  it('follows the registry while watching', async () => {
    register('query-api', '127.0.0.1', 8081);
    const watch = watchUpstreams({ ...options(), intervalMs: 20 });
    try {
      await waitUntil(async () => (await readFile(file, 'utf8').catch(() => '')).includes('127.0.0.1:8081'));

      eureka.instances.clear();

      await waitUntil(async () => (await readFile(file, 'utf8')).includes(PLACEHOLDER_SERVER));
      expect(nginx.reloads).toBe(2);
    } finally {
      await watch.stop();
    }
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
