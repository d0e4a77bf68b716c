// Boots what `npm start` runs, in the test's own process: command-api's and query-api's modules in one
// Fastify app on a free port, the projectors and the presence consumer beside them, over a temporary DATA_DIR. With
// `distributed`, the user views go to a MySQL database of their own and the hot state to Redis.
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { clientConfigFromEnv, createHttpApp, createLogger, Infrastructure, loadConfig, ServiceRootModule, uniqueSuffix } from '@chat/platform';
import { ProjectorsService, readModels } from '@chat/projectors';
import { QueryApiModule } from '@chat/query-api';
import mysql from 'mysql2/promise';
import { CommandApiModule } from '../command-api.module';
import { PresenceConsumer, type PresenceConsumerOptions } from '../identity/presence-consumer';

/** The JSON log lines the app wrote, to check what it logs (and what it never does). */
export class CapturedLogs extends Writable {
  readonly text: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text.push(chunk.toString());
    done();
  }
}

export interface EmbeddedTestApp {
  readonly baseUrl: string;
  readonly dataDir: string;
  readonly infrastructure: Infrastructure;
  readonly logs: CapturedLogs;
  /** Resolves once every read model has applied the log up to its head now. */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

export interface EmbeddedTestAppOptions {
  /** Environment variables for `loadConfig`, besides DATA_DIR. */
  readonly env?: Readonly<Record<string, string>>;
  /** MySQL and Redis URLs: the user views and the hot state as the distributed deployment keeps them. */
  readonly distributed?: { readonly mysqlUrl: string; readonly redisUrl: string };
  /** The presence consumer's timings; a short offline grace by default, so tests need not wait for it. */
  readonly presence?: PresenceConsumerOptions;
}

export async function startEmbeddedApp(options: EmbeddedTestAppOptions = {}): Promise<EmbeddedTestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-identity-'));
  const database = options.distributed ? await createMysqlDatabase(options.distributed.mysqlUrl) : undefined;
  const env = {
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    ...(options.distributed && database ? { MYSQL_URL: database.url, REDIS_URL: options.distributed.redisUrl } : {}),
    ...options.env,
  };
  const config = loadConfig('chat', env);
  const logs = new CapturedLogs();
  const logger = createLogger({ serviceName: config.serviceName, level: config.logLevel, destination: logs });
  const infrastructure = new Infrastructure(config, logger);
  const projectors = new ProjectorsService(infrastructure, readModels, { generationPollMs: 200 });
  let app: NestFastifyApplication | undefined;
  let presence: PresenceConsumer | undefined;
  try {
    const rootModule = ServiceRootModule.forService({ serviceName: config.serviceName, readinessChecks: infrastructure.readinessChecks() }, [
      CommandApiModule.register({ infrastructure }),
      QueryApiModule.register({ clientConfig: clientConfigFromEnv({}), infrastructure }),
    ]);
    app = await createHttpApp(rootModule, { serviceName: config.serviceName, logger });
    await app.listen({ port: 0, host: '127.0.0.1' });
    await projectors.start();
    presence = await PresenceConsumer.start(infrastructure, { offlineGraceMs: 50, ...options.presence });
  } catch (error) {
    await projectors.stop();
    await app?.close();
    await infrastructure.close();
    await database?.drop();
    throw error;
  }
  const running = app;
  const presenceConsumer = presence;
  return {
    baseUrl: await running.getUrl(),
    dataDir,
    infrastructure,
    logs,
    caughtUp: () => projectors.waitUntilCaughtUp(),
    close: async () => {
      await running.close();
      await presenceConsumer.stop();
      await projectors.stop();
      await infrastructure.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function createMysqlDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `chat_identity_${uniqueSuffix()}`;
  const admin = await mysql.createConnection(url);
  await admin.query(`CREATE DATABASE \`${name}\``);
  const databaseUrl = new URL(url);
  databaseUrl.pathname = `/${name}`;
  return {
    url: databaseUrl.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE \`${name}\``);
      await admin.end();
    },
  };
}
