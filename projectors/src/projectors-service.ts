// The projectors service: one processor per read model, each on the read model's live generation.
// When `admin rebuild` switches a read model to a new generation, the service notices (it polls the
// pointer) and moves its processor over, so the rebuilt generation goes on following the log.
import { type Infrastructure, liveGeneration } from '@chat/platform';
import { ProjectionProcessor } from './processor/projection-processor';
import type { ReadModelDefinition } from './catalogue';

export interface ProjectorsServiceOptions {
  readonly generationPollMs?: number;
  readonly batchSize?: number;
}

interface Running {
  readonly generation: number;
  readonly processor: ProjectionProcessor;
}

export class ProjectorsService {
  private readonly running = new Map<string, Running>();
  private timer?: NodeJS.Timeout;
  private following?: Promise<void>;
  private starting?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly infrastructure: Infrastructure,
    private readonly readModels: readonly ReadModelDefinition[],
    private readonly options: ProjectorsServiceOptions = {},
  ) {}

  start(): Promise<void> {
    this.starting ??= (async () => {
      for (const model of this.readModels) {
        if (this.stopped) return;
        await this.startLive(model);
      }
      if (this.stopped) return;
      this.timer = setInterval(() => {
        this.following ??= this.followSwitches().finally(() => (this.following = undefined));
      }, this.options.generationPollMs ?? 1000);
    })();
    return this.starting;
  }

  /** Stops every processor after its batch in hand; their checkpoints are stored. A stop during `start` waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting?.catch(() => undefined);
    clearInterval(this.timer);
    await this.following;
    await Promise.all([...this.running.values()].map(({ processor }) => processor.stop()));
    this.running.clear();
  }

  /** Resolves when every read model has applied the log up to its head now. */
  async waitUntilCaughtUp(): Promise<void> {
    const head = await (await this.infrastructure.eventStore()).headPosition();
    await Promise.all([...this.running.values()].map(({ processor }) => processor.waitUntilCaughtUp(head)));
  }

  private async startLive(model: ReadModelDefinition): Promise<void> {
    const store = await model.projectionStore(this.infrastructure);
    const generation = await liveGeneration(store.checkpoints, model.name);
    const processor = new ProjectionProcessor({
      eventStore: await this.infrastructure.eventStore(),
      store,
      projection: await model.projection(this.infrastructure, generation),
      changeFeed: await this.infrastructure.changeFeed(),
      logger: this.infrastructure.logger,
      ...(this.options.batchSize ? { batchSize: this.options.batchSize } : {}),
    });
    this.running.set(model.name, { generation, processor });
    processor.start();
    this.infrastructure.logger.info({ readModel: model.name, generation }, 'projection started');
  }

  private async followSwitches(): Promise<void> {
    for (const model of this.readModels) {
      const current = this.running.get(model.name);
      const store = await model.projectionStore(this.infrastructure);
      if (this.stopped || !current || (await liveGeneration(store.checkpoints, model.name)) === current.generation) continue;
      await current.processor.stop();
      await this.startLive(model);
    }
  }
}
