// Renders the gateway's upstream blocks from the registry: one upstream per application, whose
// servers are its instances that are UP. The gateway's nginx.conf routes to these names
// (command_api, query_api, realtime), so an application without an instance UP still gets its
// block, with a placeholder server marked down: nginx then answers 502 for it (turned into the
// contract's 503 body) instead of refusing the whole configuration.
import type { RegisteredApp } from './eureka-apps';

/**
 * Passive failure detection: a server that fails twice (a refused connection, a timeout or a
 * 502/503/504, as `proxy_next_upstream` counts them) within 10 s gets no requests for the next
 * 10 s. It bridges the seconds between an instance dying and the registry letting it go.
 */
export const UPSTREAM_SERVER_PARAMETERS = 'max_fails=2 fail_timeout=10s';
/** Idle connections each worker keeps open to a pool, so requests skip the TCP handshake. */
export const UPSTREAM_KEEPALIVE = 16;
/** Never reachable, and marked down: the placeholder of an application with no instance UP. */
export const PLACEHOLDER_SERVER = 'server 127.0.0.1:1 down;';

/** `command-api` → `command_api`: the name nginx.conf refers to. */
export function upstreamName(appName: string): string {
  return appName.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

function serverAddress(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/**
 * The upstreams.conf for these applications, plus a placeholder block for each required one that
 * is not registered at all. The same registry always renders the same text (sorted, no
 * timestamp), so the file only changes when the registry does.
 */
export function renderUpstreams(apps: readonly RegisteredApp[], requiredApps: readonly string[] = []): string {
  const servers = new Map<string, string[]>();
  for (const name of requiredApps) servers.set(upstreamName(name), []);
  for (const app of apps) {
    const name = upstreamName(app.name);
    const up = app.instances.filter((instance) => instance.status === 'UP').map((instance) => serverAddress(instance.address, instance.port));
    servers.set(name, [...(servers.get(name) ?? []), ...up]);
  }
  const blocks = [...servers.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, addresses]) => {
      const unique = [...new Set(addresses)].sort();
      const lines = unique.length > 0 ? unique.map((address) => `server ${address} ${UPSTREAM_SERVER_PARAMETERS};`) : [PLACEHOLDER_SERVER];
      return [
        `# ${unique.length} instance${unique.length === 1 ? '' : 's'} up`,
        `upstream ${name} {`,
        // Shared by the worker processes, so they agree on which servers failed.
        `    zone ${name} 64k;`,
        '    least_conn;',
        `    keepalive ${UPSTREAM_KEEPALIVE};`,
        ...lines.map((line) => `    ${line}`),
        '}',
      ].join('\n');
    });
  return ['# Rendered from the Eureka registry by infra/nginx/render-upstreams.js; edits are overwritten.', ...blocks].join('\n\n') + '\n';
}
