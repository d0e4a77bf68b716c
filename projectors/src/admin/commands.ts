// The admin commands. Each takes the infrastructure and its arguments, writes to `out` (stdout; the
// progress bar goes to `progress`, stderr) and returns the process exit code.
import { type Infrastructure, type RecordedEvent, generationKey, isLivePointer, liveGeneration, streamIndexRepository, switchLiveGeneration } from '@chat/platform';
import { ProjectionProcessor } from '../processor/projection-processor';
import { type ReadModelDefinition, findReadModel, readModels } from '../catalogue';
import { progressBar, table, truncate } from './format';

export interface Output {
  readonly out: (text: string) => void;
  /** Replaces the current line (the progress bar); `undefined` when not a terminal. */
  readonly progress?: (line: string) => void;
}

export class AdminError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

function readModel(name: string | undefined): ReadModelDefinition {
  if (!name) throw new AdminError(`name a read model: ${readModels.map((m) => m.name).join(', ')}`, 2);
  const model = findReadModel(name);
  if (!model) throw new AdminError(`no read model named "${name}"; there are: ${readModels.map((m) => m.name).join(', ')}`, 2);
  return model;
}

export interface ReadModelStatus {
  readonly readModel: string;
  readonly generation: number;
  readonly checkpoint: number;
  readonly head: number;
  readonly lag: number;
  readonly state: 'caught up' | 'behind' | 'failed';
  readonly failure?: { position: number; eventId: string; eventType: string; streamId: string; message: string; failedAt: string };
  /** Other generations with a checkpoint: a rebuild in progress, or one that was abandoned. */
  readonly otherGenerations: { generation: string; checkpoint: number }[];
}

export async function status(infrastructure: Infrastructure): Promise<ReadModelStatus[]> {
  const head = await (await infrastructure.eventStore()).headPosition();
  const statuses: ReadModelStatus[] = [];
  for (const model of readModels) {
    const { checkpoints } = await model.projectionStore(infrastructure);
    const generation = await liveGeneration(checkpoints, model.name);
    const key = generationKey(model.name, generation);
    const all = await checkpoints.list();
    const live = all.find((c) => c.projection === key);
    const checkpoint = live?.position ?? 0;
    const failure = live?.failure;
    statuses.push({
      readModel: model.name,
      generation,
      checkpoint,
      head,
      lag: Math.max(0, head - checkpoint),
      state: failure ? 'failed' : checkpoint >= head ? 'caught up' : 'behind',
      ...(failure ? { failure: { ...failure, failedAt: failure.failedAt.toISOString() } } : {}),
      otherGenerations: all
        .filter((c) => c.projection.startsWith(`${model.name}@`) && c.projection !== key && !isLivePointer(c.projection))
        .map((c) => ({ generation: c.projection.slice(model.name.length + 1), checkpoint: c.position })),
    });
  }
  return statuses;
}

export async function printStatus(infrastructure: Infrastructure, output: Output, json: boolean): Promise<number> {
  const statuses = await status(infrastructure);
  if (json) {
    output.out(JSON.stringify(statuses, null, 2));
    return 0;
  }
  output.out(
    table(
      ['READ MODEL', 'GENERATION', 'CHECKPOINT', 'HEAD', 'LAG', 'STATE'],
      statuses.map((s) => [
        s.readModel,
        String(s.generation),
        String(s.checkpoint),
        String(s.head),
        String(s.lag),
        s.failure ? `failed at ${s.failure.position} (${s.failure.eventType} in ${s.failure.streamId}): ${s.failure.message}` : s.state,
      ]),
    ),
  );
  for (const s of statuses) {
    for (const other of s.otherGenerations) output.out(`note: ${s.readModel} also has generation ${other.generation} at ${other.checkpoint} (an unfinished rebuild)`);
  }
  return statuses.some((s) => s.state === 'failed') ? 3 : 0;
}

export async function retry(infrastructure: Infrastructure, output: Output, name: string | undefined): Promise<number> {
  const model = readModel(name);
  const { checkpoints } = await model.projectionStore(infrastructure);
  const key = generationKey(model.name, await liveGeneration(checkpoints, model.name));
  const failure = (await checkpoints.read(key))?.failure;
  if (!failure) throw new AdminError(`${model.name} has not failed; nothing to retry`);
  await checkpoints.clearFailure(key);
  output.out(`${model.name} will try event ${failure.eventId} (${failure.eventType} at ${failure.position}) again`);
  return 0;
}

export async function skip(infrastructure: Infrastructure, output: Output, name: string | undefined): Promise<number> {
  const model = readModel(name);
  const { checkpoints } = await model.projectionStore(infrastructure);
  const key = generationKey(model.name, await liveGeneration(checkpoints, model.name));
  const failure = (await checkpoints.read(key))?.failure;
  if (!failure) throw new AdminError(`${model.name} has not failed; nothing to skip`);
  await checkpoints.save(key, failure.position);
  output.out(`${model.name} skipped event ${failure.eventId} (${failure.eventType} in ${failure.streamId} at ${failure.position}) and goes on after it`);
  return 0;
}

export interface RebuildOptions {
  /** How long to wait after the switch before dropping the old generation, so running services move over first. */
  readonly switchGraceMs?: number;
}

/**
 * Builds the next generation of a read model beside the live one, from the start of the log, with
 * no change feed (nothing is pushed to clients while replaying), then switches reads and the
 * projectors service to it and drops the old generation.
 */
export async function rebuild(infrastructure: Infrastructure, output: Output, name: string | undefined, options: RebuildOptions = {}): Promise<number> {
  const model = readModel(name);
  const eventStore = await infrastructure.eventStore();
  const store = await model.projectionStore(infrastructure);
  const live = await liveGeneration(store.checkpoints, model.name);
  const next = live + 1;
  await model.drop(infrastructure, next);
  await store.checkpoints.remove(generationKey(model.name, next));

  const processor = new ProjectionProcessor({ eventStore, store, projection: await model.projection(infrastructure, next), logger: infrastructure.logger, batchSize: 1000 });
  const startedAt = Date.now();
  const startHead = await eventStore.headPosition();
  output.out(`rebuilding ${model.name} into generation ${next} (live: ${live}) from ${startHead} events`);
  processor.start();
  let failure: string | undefined;
  for (;;) {
    const head = await eventStore.headPosition();
    const seconds = (Date.now() - startedAt) / 1000;
    // Positions measure how far through the log we are (in SQLite they count events, in EventStoreDB
    // bytes); the events still to come are estimated from the share of the log already read.
    const done = processor.eventsProcessed;
    const total = processor.checkpoint > 0 ? Math.round((done * head) / processor.checkpoint) : head;
    output.progress?.(progressBar({ done, total: Math.max(done, total), eventsPerSecond: seconds > 0 ? done / seconds : 0 }));
    const checkpoint = await store.checkpoints.read(generationKey(model.name, next));
    if (checkpoint?.failure) {
      failure = `stopped at ${checkpoint.failure.position} (${checkpoint.failure.eventType} in ${checkpoint.failure.streamId}): ${checkpoint.failure.message}`;
      break;
    }
    if (processor.checkpoint >= head) break;
    await Promise.race([processor.waitUntilCaughtUp(head), new Promise((resolve) => setTimeout(resolve, 200))]);
  }
  await processor.stop();
  output.progress?.('');
  if (failure) {
    output.out(`rebuild of ${model.name} ${failure}; generation ${live} stays live`);
    return 1;
  }
  const seconds = (Date.now() - startedAt) / 1000;
  output.out(`built generation ${next}: ${processor.eventsProcessed} events in ${seconds.toFixed(1)}s (${Math.round(processor.eventsProcessed / Math.max(seconds, 0.001))} events/s)`);
  await switchLiveGeneration(store.checkpoints, model.name, next);
  output.out(`${model.name} now reads from generation ${next}`);
  await new Promise((resolve) => setTimeout(resolve, options.switchGraceMs ?? 3000));
  await model.drop(infrastructure, live);
  await store.checkpoints.remove(generationKey(model.name, live));
  output.out(`dropped generation ${live}`);
  return 0;
}

/** Hashes of secrets (passwords, refresh tokens) are in some events for the write side's checks; an audit shows that they are there, not what they are. */
function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, /hash(es)?$/i.test(key) ? '[redacted]' : withoutSecrets(field)]));
}

function describe(event: RecordedEvent): { at: string; type: string; actor: string; data: string } {
  return { at: event.createdAt.toISOString(), type: event.type, actor: event.metadata.actorId ?? '', data: JSON.stringify(withoutSecrets(event.data)) };
}

function eventJson(event: RecordedEvent): object {
  return { position: event.position, streamId: event.streamId, revision: event.revision, at: event.createdAt.toISOString(), type: event.type, actor: event.metadata.actorId ?? null, data: withoutSecrets(event.data), metadata: event.metadata };
}

/** The history of one stream, in order, as stored. */
export async function replay(infrastructure: Infrastructure, output: Output, streamId: string | undefined, json: boolean): Promise<number> {
  if (!streamId) throw new AdminError('name a stream, e.g. room-<id> or user-<id>', 2);
  const eventStore = await infrastructure.eventStore();
  const events: RecordedEvent[] = [];
  for (let from = 0; ; ) {
    const page = await eventStore.readStream(streamId, { fromRevision: from, maxCount: 1000 });
    events.push(...page);
    if (page.length < 1000) break;
    from = page.at(-1)!.revision + 1;
  }
  if (events.length === 0) throw new AdminError(`stream ${streamId} has no events`);
  if (json) {
    for (const event of events) output.out(JSON.stringify(eventJson(event)));
    return 0;
  }
  output.out(table(['REV', 'TIME', 'TYPE', 'ACTOR', 'DATA'], events.map((e) => {
    const d = describe(e);
    return [String(e.revision), d.at, d.type, d.actor, truncate(d.data, 120)];
  })));
  return 0;
}

/** Every event of the log since a time (or of one stream), with who did it. */
export async function audit(infrastructure: Infrastructure, output: Output, options: { stream?: string; since?: string; json: boolean }): Promise<number> {
  if (options.stream) return replay(infrastructure, output, options.stream, options.json);
  if (!options.since) throw new AdminError('audit needs --stream <id> or --since <ISO time>', 2);
  const since = new Date(options.since);
  if (Number.isNaN(since.getTime())) throw new AdminError(`--since "${options.since}" is not a time; use ISO 8601, e.g. 2026-11-25T12:00:00Z`, 2);
  const eventStore = await infrastructure.eventStore();
  const rows: string[][] = [];
  for (let after = 0; ; ) {
    const page = await eventStore.readAll({ after, maxCount: 1000 });
    if (page.length === 0) break;
    after = page.at(-1)!.position;
    for (const event of page) {
      if (event.createdAt < since) continue;
      if (options.json) output.out(JSON.stringify(eventJson(event)));
      else {
        const d = describe(event);
        rows.push([String(event.position), d.at, event.streamId, d.type, d.actor, truncate(d.data, 100)]);
      }
    }
  }
  if (!options.json) output.out(table(['POSITION', 'TIME', 'STREAM', 'TYPE', 'ACTOR', 'DATA'], rows));
  return 0;
}

/** The streams in the log, from the stream index read model. */
export async function streams(infrastructure: Infrastructure, output: Output, options: { category?: string; json: boolean }): Promise<number> {
  const { checkpoints } = await readModel('stream-index').projectionStore(infrastructure);
  const repository = streamIndexRepository(await infrastructure.documents(), await liveGeneration(checkpoints, 'stream-index'));
  const listed = [];
  for (let afterStreamId: string | undefined; ; ) {
    const page = await repository.list({ limit: 1000, ...(options.category ? { category: options.category } : {}), ...(afterStreamId ? { afterStreamId } : {}) });
    listed.push(...page);
    if (page.length < 1000) break;
    afterStreamId = page.at(-1)!.streamId;
  }
  if (options.json) {
    for (const s of listed) output.out(JSON.stringify(s));
    return 0;
  }
  output.out(table(['STREAM', 'EVENTS', 'LAST EVENT', 'LAST ACTIVITY'], listed.map((s) => [s.streamId, String(s.eventCount), s.lastEventType, s.lastEventAt.toISOString()])));
  return 0;
}
