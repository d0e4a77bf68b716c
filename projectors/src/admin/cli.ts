#!/usr/bin/env node
// `npm run admin -- <command>`: inspect and repair the projections, and read the log for audit.
import { parseArgs } from 'node:util';
import { ConfigError, Infrastructure, createLogger, generateKeyVariables, loadConfig } from '@chat/platform';
import { AdminError, type Output, audit, printStatus, rebuild, replay, retry, skip, streams } from './commands';

const USAGE = `usage: npm run admin -- <command>

  status [--json]                     each read model's generation, checkpoint, lag and state
  retry <read-model>                  try the event a failed read model stopped at again
  skip <read-model>                   go on after the event a failed read model stopped at
  rebuild <read-model>                build a fresh generation from the log, then switch to it
  replay <stream> [--json]            the history of one stream, in order
  audit --stream <s> | --since <time> [--json]
                                      events with time, type, actor and data
  streams [--category <c>] [--json]   the streams in the log
  jwt-keys                            a new token key pair as JWT_PRIVATE_KEY / JWT_PUBLIC_KEYS lines (for .env)

The same environment variables as the services choose the stores (see the README).`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, stream: { type: 'string' }, since: { type: 'string' }, category: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, argument] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (command === 'jwt-keys') {
    const variables = await generateKeyVariables();
    for (const [name, value] of Object.entries(variables)) console.log(`${name}='${value}'`);
    return 0;
  }
  const config = loadConfig('admin');
  const infrastructure = new Infrastructure(config, createLogger({ serviceName: 'admin', level: process.env.LOG_LEVEL ? config.logLevel : 'warn' }));
  const output: Output = {
    out: (text) => console.log(text),
    ...(process.stderr.isTTY ? { progress: (line: string) => process.stderr.write(`\r\x1b[2K${line}`) } : { progress: throttled((line: string) => line && process.stderr.write(`${line}\n`), 2000) }),
  };
  try {
    switch (command) {
      case 'status':
        return await printStatus(infrastructure, output, values.json);
      case 'retry':
        return await retry(infrastructure, output, argument);
      case 'skip':
        return await skip(infrastructure, output, argument);
      case 'rebuild':
        return await rebuild(infrastructure, output, argument);
      case 'replay':
        return await replay(infrastructure, output, argument, values.json);
      case 'audit':
        return await audit(infrastructure, output, { ...(values.stream ? { stream: values.stream } : {}), ...(values.since ? { since: values.since } : {}), json: values.json });
      case 'streams':
        return await streams(infrastructure, output, { ...(values.category ? { category: values.category } : {}), json: values.json });
      default:
        console.error(`unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } finally {
    await infrastructure.close();
  }
}

/** Progress lines at most every `ms` when stderr is not a terminal (a log file, CI). */
function throttled(write: (line: string) => void, ms: number): (line: string) => void {
  let last = 0;
  return (line) => {
    const now = Date.now();
    if (now - last >= ms || line === '') {
      last = now;
      write(line);
    }
  };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof AdminError) {
      console.error(error.message);
      process.exit(error.exitCode);
    }
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
