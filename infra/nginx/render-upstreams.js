#!/usr/bin/env node
// Renders the gateway's upstreams.conf from the Eureka registry (platform/src/registry/upstream-sync.ts):
//   node infra/nginx/render-upstreams.js --out STATE/upstreams.conf [--eureka URL] [--apps a,b]
//        [--nginx-conf STATE/nginx.conf] [--nginx /usr/sbin/nginx] [--watch] [--interval-ms 2000]
// Once: renders and exits (1 when the registry did not answer; a placeholder file is still written
// if there was none, so nginx can start). --watch: polls until SIGTERM/SIGINT, and with
// --nginx-conf checks and reloads nginx after each change. Needs platform built (`npx tsc -b`).
'use strict';
const path = require('node:path');
const { parseArgs } = require('node:util');
const { nginxControl, syncUpstreams, watchUpstreams } = require(path.join(__dirname, '../../platform/dist/registry/upstream-sync.js'));

const { values: args } = parseArgs({
  options: {
    eureka: { type: 'string', default: process.env.EUREKA_URL },
    out: { type: 'string' },
    // The upstreams nginx.conf routes to.
    apps: { type: 'string', default: 'command-api,query-api,realtime' },
    'nginx-conf': { type: 'string' },
    nginx: { type: 'string', default: 'nginx' },
    watch: { type: 'boolean', default: false },
    'interval-ms': { type: 'string', default: '2000' },
  },
});

// One JSON line per event, like the services' logs (pino is not in the gateway image).
const log = (level) => (fields, message) => {
  const { err, ...rest } = fields;
  const line = { level, time: new Date().toISOString(), service: 'upstream-renderer', ...rest, msg: message };
  if (err) line.err = { message: err.message };
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
const logger = { info: log('info'), warn: log('warn'), error: log('error') };

if (!args.eureka || !args.out) {
  process.stderr.write('render-upstreams: --eureka (or EUREKA_URL) and --out are required\n');
  process.exit(2);
}
const intervalMs = Number(args['interval-ms']);
if (!Number.isInteger(intervalMs) || intervalMs < 100) {
  process.stderr.write('render-upstreams: --interval-ms must be a whole number of milliseconds, at least 100\n');
  process.exit(2);
}

const options = {
  eurekaUrl: args.eureka,
  outputFile: path.resolve(args.out),
  requiredApps: args.apps.split(',').map((app) => app.trim()).filter(Boolean),
  nginx: args['nginx-conf'] ? nginxControl(path.resolve(args['nginx-conf']), args.nginx) : undefined,
  logger,
};

if (args.watch) {
  logger.info({ eurekaUrl: options.eurekaUrl, file: options.outputFile, intervalMs }, 'Watching the registry');
  const watch = watchUpstreams({ ...options, intervalMs });
  const stop = (signal) => {
    logger.info({ signal }, 'Stopping');
    watch.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} else {
  syncUpstreams(options).then(
    (outcome) => {
      if (outcome.kind === 'registry-unavailable') {
        logger.warn({ reason: outcome.reason }, 'Registry unavailable; upstreams left as they were');
        process.exitCode = 1;
      } else {
        logger.info({ file: options.outputFile, outcome: outcome.kind }, 'Upstreams rendered');
      }
    },
    (error) => {
      logger.error({ err: error }, 'Rendering the upstreams failed');
      process.exitCode = 1;
    },
  );
}
