// Keeps the gateway's upstreams.conf in step with the registry: reads Eureka, renders the file,
// replaces it atomically only when its text changes, and has nginx check and reload its
// configuration. A configuration nginx refuses is rolled back to the file it replaced. Node
// built-ins only (see eureka-apps.ts).
import { execFile } from 'node:child_process';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { fetchRegisteredApps, type RegisteredApp, RegistryUnavailable } from './eureka-apps';
import { renderUpstreams } from './nginx-upstreams';

const execFileAsync = promisify(execFile);

/** The part of a pino logger this needs, so a runner without pino can pass its own. */
export interface SyncLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface NginxControl {
  /** Rejects when nginx refuses the configuration (`nginx -t`). */
  test(): Promise<void>;
  /** Asks the running nginx to load the configuration again (`nginx -s reload`). */
  reload(): Promise<void>;
}

/** `nginx -t` and `nginx -s reload` for the configuration file `confFile`. */
export function nginxControl(confFile: string, nginxBinary = 'nginx'): NginxControl {
  const run = async (args: string[]): Promise<void> => {
    try {
      await execFileAsync(nginxBinary, ['-c', confFile, ...args], { timeout: 10_000 });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr?.trim();
      throw new Error(`${nginxBinary} ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`, { cause: error });
    }
  };
  return { test: () => run(['-t', '-q']), reload: () => run(['-s', 'reload']) };
}

export interface UpstreamSyncOptions {
  readonly eurekaUrl: string;
  readonly outputFile: string;
  /** Upstreams nginx.conf refers to: always rendered, with a placeholder when nothing is UP. */
  readonly requiredApps: readonly string[];
  /** Absent: only the file is written (e.g. before nginx is started). */
  readonly nginx?: NginxControl;
  readonly logger: SyncLogger;
  readonly fetchApps?: (eurekaUrl: string) => Promise<RegisteredApp[]>;
  /** Reload nginx even when the file is unchanged: after a reload that failed. */
  readonly reloadUnchanged?: boolean;
}

export type SyncOutcome =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'updated'; readonly upstreams: string }
  /** The registry did not answer: the file stays as it was (a placeholder one if there was none). */
  | { readonly kind: 'registry-unavailable'; readonly reason: string };

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Replaces `file` by `text` in one step: readers see the old file or the new one, never half of one. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** One pass: registry → file → nginx. Rejects only when nginx refuses the new file (after rolling it back) or a file cannot be written. */
export async function syncUpstreams(options: UpstreamSyncOptions): Promise<SyncOutcome> {
  const { outputFile, nginx } = options;
  const current = await readIfPresent(outputFile);
  let apps: RegisteredApp[];
  try {
    apps = await (options.fetchApps ?? fetchRegisteredApps)(options.eurekaUrl);
  } catch (error) {
    if (!(error instanceof RegistryUnavailable)) throw error;
    // nginx cannot start without the file its configuration includes.
    if (current === undefined) await writeAtomically(outputFile, renderUpstreams([], options.requiredApps));
    return { kind: 'registry-unavailable', reason: error.message };
  }
  const upstreams = renderUpstreams(apps, options.requiredApps);
  if (upstreams === current) {
    if (options.reloadUnchanged && nginx) await nginx.reload();
    return { kind: 'unchanged' };
  }
  await writeAtomically(outputFile, upstreams);
  if (nginx) {
    try {
      await nginx.test();
    } catch (error) {
      if (current === undefined) await rm(outputFile, { force: true });
      else await writeAtomically(outputFile, current);
      throw error;
    }
    await nginx.reload();
  }
  return { kind: 'updated', upstreams };
}

export interface UpstreamWatch {
  /** Stops polling; resolves once a pass in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `syncUpstreams` now and then every `intervalMs`, one pass at a time. Logs what changed, and
 * a failure once when it starts and once when it ends rather than at every pass.
 */
export function watchUpstreams(options: UpstreamSyncOptions & { readonly intervalMs: number }): UpstreamWatch {
  const { logger } = options;
  let failing: string | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();

  const noteFailure = (reason: string, fields: object, message: string): void => {
    if (failing !== reason) logger.warn({ ...fields, reason }, message);
    failing = reason;
  };

  const runPass = async (): Promise<void> => {
    try {
      // After a failed pass the file may be new to nginx: the reload is what may have failed.
      const outcome = await syncUpstreams({ ...options, reloadUnchanged: failing !== undefined });
      if (outcome.kind === 'registry-unavailable') {
        noteFailure(outcome.reason, {}, 'Registry unavailable; keeping the current upstreams');
        return;
      }
      if (failing !== undefined) logger.info({}, 'Upstream sync working again');
      failing = undefined;
      if (outcome.kind === 'updated') logger.info({ file: options.outputFile, upstreams: outcome.upstreams }, 'Upstreams changed; nginx reloaded');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      noteFailure(reason, { err: error }, 'Upstream sync failed; keeping the previous upstreams');
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    pass = runPass().finally(() => {
      if (!stopped) timer = setTimeout(schedule, options.intervalMs);
    });
  };

  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await pass;
    },
  };
}
