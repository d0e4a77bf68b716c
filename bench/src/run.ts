// `npm run bench -- <name>`: runs one benchmark suite and prints its JSON lines.
import { eventstoreBench } from './eventstore.bench';

const suites: Record<string, (args: readonly string[]) => Promise<void>> = {
  eventstore: eventstoreBench,
  messaging: (args) => import('./messaging.bench').then((bench) => bench.messagingBench(args)),
  realtime: () => import('./realtime.bench').then((bench) => bench.realtimeBench()),
};

async function main(): Promise<void> {
  const name = process.argv[2];
  const suite = name ? suites[name] : undefined;
  if (!suite) {
    process.stderr.write(`usage: npm run bench -- <${Object.keys(suites).join('|')}> [parts]\n`);
    process.exit(2);
  }
  await suite(process.argv.slice(3));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
