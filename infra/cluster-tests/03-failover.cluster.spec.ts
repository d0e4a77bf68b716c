// One command-api instance goes away while clients keep working through the gateway, then comes back:
//   SIGKILL   a crash: no deregistration. The registry drops it when its lease expires; until then
//             nginx's passive checks and retries keep clients from noticing (a refused connection is
//             retried for every method: the request never reached an instance).
//   SIGTERM   a clean stop: it deregisters at once and the renderer takes it out of the pool.
// Each time `scripts/cluster.sh start` brings it back, and it rejoins the registry and the pool.
// A steady load of reads and commands runs throughout; not one request may fail.
import { randomUUID } from 'node:crypto';
import {
  accessLog,
  cluster,
  eventually,
  freshSourceAddress,
  GatewayClient,
  instanceAddress,
  isRunning,
  pidOf,
  registeredInstances,
  sleep,
  startCluster,
  upstreamServers,
  upstreamsTried,
} from './cluster';
import { expectEveryRegisteredInstanceScraped } from './prometheus';

interface Person {
  id: string;
  token: string;
}
interface Outcome {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly requestId: string;
  readonly error?: string;
}

const PASSWORD = 'correct horse battery staple';
const EXPECTED_STATUS: Record<string, number[]> = { GET: [200], POST: [201], PUT: [204] };

/**
 * Clients that keep reading and writing until stopped, each from its own address and at its own
 * pace (well inside the gateway's rate limits): the room list, the history, a new message (a POST:
 * nginx resends it to another instance even after it reached one only because the contract makes it
 * idempotent by clientMessageId) and a reaction (a PUT).
 * Each request opens its own connection: what is measured is the gateway's failover, not a client
 * reusing a kept-alive connection that nginx closes while reloading (browsers retry those).
 */
function startLoad(people: Person[], roomId: string, messageId: string) {
  const outcomes: Outcome[] = [];
  let running = true;
  const worker = async (person: Person, index: number) => {
    const client = new GatewayClient(`127.0.2.${index + 1}`, undefined, { keepAlive: false });
    const emoji = encodeURIComponent(['👍', '🎉', '👀'][index % 3] as string);
    const operations: [string, string, (() => unknown)?][] = [
      ['GET', '/api/rooms'],
      ['POST', `/api/rooms/${roomId}/messages`, () => ({ clientMessageId: randomUUID(), text: `load ${index}` })],
      ['GET', `/api/rooms/${roomId}/messages?limit=5`],
      ['PUT', `/api/rooms/${roomId}/messages/${messageId}/reactions/${emoji}`],
    ];
    for (let turn = index; running; turn++) {
      const [method, path, body] = operations[turn % operations.length] as (typeof operations)[number];
      const at = Date.now();
      try {
        const answer = await client.call(method, path, body?.(), { token: person.token, label: 'load' });
        outcomes.push({ at, method, path, status: answer.status, requestId: answer.requestId });
      } catch (error) {
        outcomes.push({ at, method, path, status: 0, requestId: '?', error: (error as Error).message });
      }
      await sleep(100);
    }
    client.close();
  };
  const workers = people.map((person, index) => worker(person, index));
  let stopping: Promise<void> | undefined;
  return {
    outcomes,
    stop: () =>
      (stopping ??= (async () => {
        running = false;
        await Promise.all(workers);
      })()),
  };
}

/** The load's outcomes with the instances the gateway tried for each (from its log), and those that failed. */
function judge(outcomes: Outcome[]) {
  const logged = new Map(accessLog().map((entry) => [entry.requestId, entry]));
  const complete = outcomes.map((outcome) => {
    const entry = logged.get(outcome.requestId);
    return { ...outcome, upstreams: entry ? upstreamsTried(entry) : [] };
  });
  const failed = complete.filter((outcome) => outcome.error !== undefined || !(EXPECTED_STATUS[outcome.method] ?? []).includes(outcome.status));
  return { complete, failed };
}

describe('failover: a command-api instance leaves and comes back while clients keep working', () => {
  const figures: Record<string, unknown> = {};
  let people: Person[];
  let roomId: string;
  let messageId: string;

  beforeAll(async () => {
    const setup = new GatewayClient(freshSourceAddress());
    try {
      people = [];
      for (const label of ['load1', 'load2', 'load3']) {
        const answer = await setup.post<{ user: { id: string }; accessToken: string }>('/api/auth/register', {
          username: `${label}_${randomUUID().replaceAll('-', '').slice(0, 12)}`,
          password: PASSWORD,
        });
        expect(answer.status).toBe(201);
        people.push({ id: answer.body.user.id, token: answer.body.accessToken });
      }
      const [owner, ...others] = people as [Person, ...Person[]];
      const room = await setup.post<{ room: { id: string } }>('/api/rooms', { name: 'Failover', memberIds: others.map((p) => p.id) }, { token: owner.token });
      expect(room.status).toBe(201);
      roomId = room.body.room.id;
      const message = await setup.post<{ message: { id: string } }>(`/api/rooms/${roomId}/messages`, { clientMessageId: 'first', text: 'first' }, { token: owner.token });
      expect(message.status).toBe(201);
      messageId = message.body.message.id;
      // Each member's reads need the room's projections (reads are eventually consistent).
      for (const person of people) {
        await eventually('the room is projected for every member', async () => {
          const history = await setup.get(`/api/rooms/${roomId}/messages?limit=1`, { token: person.token });
          const rooms = await setup.get<{ id: string }[]>('/api/rooms', { token: person.token });
          return history.status === 200 && rooms.body.some((room) => room.id === roomId) ? true : undefined;
        });
      }
    } finally {
      setup.close();
    }
  });

  afterAll(() => {
    // One line the CI log keeps: how long each step took, how many requests ran and failed.
    console.log(`failover figures: ${JSON.stringify(figures)}`);
  });

  async function leaveAndRejoin(instance: 'command-api-1' | 'command-api-2', signal: 'SIGKILL' | 'SIGTERM', registryBoundMs: number) {
    const address = instanceAddress(instance);
    expect(upstreamServers('command_api')).toContain(address);
    const load = startLoad(people, roomId, messageId);
    try {
      await sleep(2000);
      const pid = pidOf(instance);
      const stoppedAt = Date.now();
      process.kill(pid, signal);
      const [exitedMs, leftRegistryMs, leftPoolMs] = await Promise.all([
        eventually(`${instance} has exited`, () => (isRunning(pid) ? undefined : Date.now() - stoppedAt), 20_000, 50),
        eventually(
          `${instance} leaves the registry`,
          async () => ((await registeredInstances('command-api')).has(address) ? undefined : Date.now() - stoppedAt),
          registryBoundMs,
          100,
        ),
        eventually(
          `${instance} leaves the gateway's pool`,
          () => (upstreamServers('command_api').includes(address) ? undefined : Date.now() - stoppedAt),
          registryBoundMs + 10_000,
          50,
        ),
      ]);
      // A while on the one instance left.
      await sleep(2000);

      const restartedAt = Date.now();
      await startCluster();
      const rejoinedRegistryMs = await eventually(
        `${instance} is UP in the registry again`,
        async () => ((await registeredInstances('command-api')).get(address) === 'UP' ? Date.now() - restartedAt : undefined),
        30_000,
        100,
      );
      const rejoinedPoolMs = await eventually(
        `${instance} is in the gateway's pool again`,
        () => (upstreamServers('command_api').includes(address) ? Date.now() - restartedAt : undefined),
        10_000,
        50,
      );
      // Back in the pool means it answers again: the load's commands reach it.
      const rejoinedAt = Date.now();
      await eventually(
        `${instance} answers the load's commands again`,
        () => (judge(load.outcomes.filter((o) => o.at >= rejoinedAt)).complete.some((o) => o.upstreams.at(-1) === address) ? true : undefined),
        15_000,
        250,
      );
      await load.stop();

      const { complete, failed } = judge(load.outcomes);
      const duringOutage = complete.filter((o) => o.at >= stoppedAt && o.at < restartedAt + rejoinedPoolMs);
      figures[signal] = {
        exitedMs,
        leftRegistryMs,
        leftPoolMs,
        rejoinedRegistryMs,
        rejoinedPoolMs,
        requests: complete.length,
        requestsDuringOutage: duringOutage.length,
        commandsDuringOutage: duringOutage.filter((o) => o.method === 'POST').length,
        retriedByGateway: complete.filter((o) => o.upstreams.length > 1).length,
        failed: failed.length,
      };
      expect(failed).toEqual([]);
      // Commands kept coming during the outage, and some went through the one instance left.
      expect(duringOutage.filter((o) => o.method === 'POST').length).toBeGreaterThan(5);
      return { leftRegistryMs, leftPoolMs };
    } finally {
      await load.stop();
    }
  }

  it('SIGKILL: the instance leaves the registry when its lease expires and then the pool; no request fails; it rejoins after a start', async () => {
    // Lease 10 s (counted twice by Eureka) + eviction every 2 s + renderer every 2 s.
    const { leftRegistryMs, leftPoolMs } = await leaveAndRejoin('command-api-1', 'SIGKILL', 35_000);
    expect(leftPoolMs - leftRegistryMs).toBeLessThan(5_000);
    // Until its lease expired it was still a target: Prometheus saw it down (what InstanceDown reads).
    const query = `min_over_time(up{job="chat-services", instance="${instanceAddress('command-api-1')}"}[5m])`;
    const answer = (await (await fetch(`${cluster.prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`)).json()) as {
      data: { result: { value: [number, string] }[] };
    };
    expect(answer.data.result.map((series) => series.value[1])).toEqual(['0']);
  }, 120_000);

  it('SIGTERM: the instance deregisters at once and leaves the pool within seconds; no request fails; it rejoins after a start', async () => {
    const { leftRegistryMs, leftPoolMs } = await leaveAndRejoin('command-api-2', 'SIGTERM', 5_000);
    expect(leftRegistryMs).toBeLessThan(5_000);
    expect(leftPoolMs).toBeLessThan(8_000);
  }, 120_000);

  it('Prometheus scrapes the restarted instances like the others', async () => {
    const targets = await expectEveryRegisteredInstanceScraped();
    expect(targets.filter((target) => target.app === 'command-api')).toHaveLength(2);
  }, 40_000);
});
