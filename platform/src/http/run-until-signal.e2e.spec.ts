// A stop must lose nothing: the request in flight is answered, new connections are refused, the
// stores are flushed only after the last answer, and the app's own hooks run last. (Jest gives a
// test its own `process` object, deaf to real signals: the *.processes specs send real SIGTERMs
// to the built services.)
import 'reflect-metadata';
import http from 'node:http';
import { Controller, Get, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createLogger } from '../observability/logger';
import { createHttpApp, runUntilSignal, type RunningHttpApp } from './bootstrap';
import { ServiceRootModule } from './service-shell.module';

const steps: string[] = [];
let requestArrived!: () => void;
const arrived = new Promise<void>((resolve) => (requestArrived = resolve));
let releaseRequest!: () => void;
const released = new Promise<void>((resolve) => (releaseRequest = resolve));

@Controller('slow')
class SlowController {
  @Get()
  async slow(): Promise<{ answered: true }> {
    requestArrived();
    await released;
    steps.push('request answered');
    return { answered: true };
  }
}

@Injectable()
class ModuleHooks implements OnModuleDestroy {
  onModuleDestroy(): void {
    steps.push('app closed');
  }
}

/** One request on a connection of its own, so nothing is reused from a pool. */
function getOnNewConnection(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('runUntilSignal', () => {
  let running: RunningHttpApp;

  beforeAll(async () => {
    const logger = createLogger({ serviceName: 'shutdown-test', level: 'silent' });
    const rootModule = ServiceRootModule.forService({ serviceName: 'shutdown-test' }, [
      { module: class SlowModule {}, controllers: [SlowController], providers: [ModuleHooks] },
    ]);
    const app = await createHttpApp(rootModule, { serviceName: 'shutdown-test', logger });
    running = await runUntilSignal(app, {
      port: 0,
      host: '127.0.0.1',
      logger,
      drainTimeoutMs: 20_000,
      onShutdown: async () => {
        steps.push('stores closed');
      },
    });
  });

  afterAll(async () => {
    releaseRequest();
    await running?.stop();
  });

  it('answers the request in flight, refuses new connections, then closes stores, then the app', async () => {
    const inFlight = getOnNewConnection(`${running.url}/slow`);
    await arrived;

    const stopping = running.stop('test');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(getOnNewConnection(`${running.url}/health/live`)).rejects.toThrow(/ECONNREFUSED|ECONNRESET|socket hang up/);
    expect(steps).toEqual([]);

    releaseRequest();
    expect(await inFlight).toEqual({ status: 200, body: JSON.stringify({ answered: true }) });
    await stopping;
    await running.stopped;
    expect(steps).toEqual(['request answered', 'stores closed', 'app closed']);
  });
});
