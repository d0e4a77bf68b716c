// Integration suites run against real servers named by environment variables. Without the variable a
// suite is skipped and says so (the skipped-suites reporter lists it at the end of the run); with
// REQUIRE_INTEGRATION=1 a missing server is a failure instead, so CI cannot pass by skipping.

export const integrationServers = {
  mongodb: { variable: 'MONGODB_URL', requiredInCi: true },
  mysql: { variable: 'MYSQL_URL', requiredInCi: true },
  redis: { variable: 'REDIS_URL', requiredInCi: true },
  // EventStoreDB cannot run on the CI machines: only REQUIRE_EVENTSTORE=1 makes it mandatory.
  eventstore: { variable: 'EVENTSTORE_URL', requiredInCi: false },
} as const;

export type IntegrationServer = keyof typeof integrationServers;

export const SKIPPED_MARK = '[skipped:';

function isRequired(server: IntegrationServer): boolean {
  if (server === 'eventstore') return process.env.REQUIRE_EVENTSTORE === '1';
  return process.env.REQUIRE_INTEGRATION === '1' && integrationServers[server].requiredInCi;
}

/** `describe` for a suite that needs a real server; `body` receives the server's URL. */
export function describeIntegration(name: string, server: IntegrationServer, body: (url: string) => void): void {
  const { variable } = integrationServers[server];
  const url = process.env[variable];
  if (url) {
    describe(`${name} (${server})`, () => body(url));
  } else if (isRequired(server)) {
    describe(`${name} (${server})`, () => {
      it(`needs ${variable}`, () => {
        throw new Error(`${variable} is not set, and this run requires the ${server} integration suites`);
      });
    });
  } else {
    describe.skip(`${name} ${SKIPPED_MARK} ${variable} not set]`, () => body(''));
  }
}

/** A short random suffix for databases, key prefixes and file names that must not collide between suites. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
