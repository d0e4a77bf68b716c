import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/config';
import { InProcessKeyValueStore } from '../key-value/in-process-key-value-store';
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

  it('hands out a key-value store it is given instead of opening the configured one, checks it and closes it', async () => {
    const given = new InProcessKeyValueStore();
    const infrastructure = new Infrastructure(loadConfig('test', { DATA_DIR: dataDir }), logger, { keyValue: given });

    expect(await infrastructure.keyValue()).toBe(given);
    expect((await runReadinessChecks(infrastructure.readinessChecks())).checks).toEqual([{ name: 'key-value', ok: true }]);
    await infrastructure.close();

    // A closed store refuses work.
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
