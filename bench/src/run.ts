// `npm run bench -- <name>`: runs one benchmark suite and prints its JSON lines.
import { eventstoreBench } from './eventstore.bench';

const suites: Record<string, () => Promise<void>> = {
  eventstore: eventstoreBench,
  messaging: () => import('./messaging.bench').then((bench) => bench.messagingBench()),
  realtime: () => import('./realtime.bench').then((bench) => bench.realtimeBench()),
};

async function main(): Promise<void> {
  const name = process.argv[2];
  const suite = name ? suites[name] : undefined;
  if (!suite) {
    process.stderr.write(`usage: npm run bench -- <${Object.keys(suites).join('|')}>\n`);
    process.exit(2);
  }
  await suite();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
