import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InProcessChangeFeed } from '../change-feed/in-process-change-feed';
import { loadConfig } from '../config/config';
import { runReadinessChecks } from '../observability/health';
import { createLogger } from '../observability/logger';
import { Infrastructure } from './infrastructure';

describe('Infrastructure', () => {
  let dataDir: string;
  const logger = createLogger({ serviceName: 'test', level: 'silent' });

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'chat-infrastructure-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('hands out a change feed it is given instead of opening the configured one, checks it and closes it', async () => {
    const given = new InProcessChangeFeed();
    const infrastructure = new Infrastructure(loadConfig('test', { DATA_DIR: dataDir }), logger, { changeFeed: given });

    expect(await infrastructure.changeFeed()).toBe(given);
    expect((await runReadinessChecks(infrastructure.readinessChecks())).checks).toEqual([{ name: 'change feed', ok: true }]);
    await infrastructure.close();

    // A closed feed refuses work.
    await expect(given.ping()).rejects.toThrow();
  });

  it('asks the readiness checks added to it along with those of its stores, until closed', async () => {
    const infrastructure = new Infrastructure(loadConfig('test', { DATA_DIR: dataDir }), logger);
    await infrastructure.changeFeed();

    infrastructure.addReadinessCheck({ name: 'projectors', check: () => Promise.reject(new Error('not answering')) });

    expect(await runReadinessChecks(infrastructure.readinessChecks())).toEqual({
      ready: false,
      checks: [
        { name: 'change feed', ok: true },
        { name: 'projectors', ok: false, error: 'not answering' },
      ],
    });
    await infrastructure.close();
    expect(infrastructure.readinessChecks()).toEqual([]);
  });
});
