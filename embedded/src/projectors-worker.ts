// The embedded app's projectors run on a worker thread (projectors-thread.ts), so that following the log and
// writing the read models use a core of their own beside the HTTP, command and WebSocket work of the main
// thread. This is the main thread's side of it: it starts and stops the thread, publishes the changes the
// thread's processors post into the main thread's change feed (where realtime and the presence consumer
// subscribe), wakes the thread's subscriptions on appends made here, and adds the thread's readiness and
// metrics to the process's.
import path from 'node:path';
import { type MessagePort, MessageChannel, Worker } from 'node:worker_threads';
import { type Config, type Infrastructure, type MetricsSnapshot, type ReadinessReport, forwardSqliteAppends, includeMetricsOf, relayChanges } from '@chat/platform';

/** What the thread starts with: the app's configuration and the ports of the changes and of the appends. */
export interface ProjectorsThreadData {
  readonly config: Config;
  readonly changes: MessagePort;
  /** With the SQLite event store only: another event store wakes subscriptions by itself. */
  readonly appends?: MessagePort;
}

export interface ProjectorsThreadAnswers {
  readonly metrics: MetricsSnapshot;
  readonly readiness: ReadinessReport;
}

export type ProjectorsThreadQuestion = keyof ProjectorsThreadAnswers;

/** What the main thread posts to the thread. */
export type ToProjectorsThread = { readonly kind: 'stop' } | { readonly kind: 'ask'; readonly id: number; readonly question: ProjectorsThreadQuestion };

/** What the thread posts back. */
export type FromProjectorsThread =
  | { readonly kind: 'started' }
  | { readonly kind: 'answer'; readonly id: number; readonly answer: ProjectorsThreadAnswers[ProjectorsThreadQuestion] }
  | { readonly kind: 'refusal'; readonly id: number; readonly error: string };

interface Question {
  resolve(answer: unknown): void;
  reject(error: Error): void;
}

export interface ProjectorsWorkerOptions {
  /** Called when the thread ends without being asked to stop, after it had started. */
  readonly onDied: (error: Error) => void;
  /** The thread's entry point; the compiled projectors-thread.js beside this file by default. */
  readonly entry?: string;
}

export class ProjectorsWorker {
  private worker?: Worker;
  /** Resolves with the thread's exit code once it has ended. */
  private ended?: Promise<number>;
  private started = false;
  private stopping = false;
  private markStarted?: () => void;
  /** What the thread threw, when it ended on an uncaught error. */
  private thrown?: Error;
  private readonly questions = new Map<number, Question>();
  private lastQuestionId = 0;
  /** Undoes, once the thread has ended, what starting it set up on this thread. */
  private readonly onEnd: (() => void)[] = [];

  constructor(
    private readonly infrastructure: Infrastructure,
    private readonly options: ProjectorsWorkerOptions,
  ) {}

  /** Starts the thread; resolves once its projectors have started, rejects when the thread fails to start them. */
  async start(): Promise<void> {
    const { config, logger } = this.infrastructure;
    const changes = new MessageChannel();
    relayChanges(changes.port1, await this.infrastructure.changeFeed(), logger);
    this.onEnd.push(() => changes.port1.close());
    const appends = config.eventStore.kind === 'sqlite' ? this.forwardAppends(config.eventStore.file) : undefined;
    const workerData: ProjectorsThreadData = { config, changes: changes.port2, ...(appends ? { appends } : {}) };
    const worker = new Worker(this.options.entry ?? path.join(__dirname, 'projectors-thread.js'), {
      workerData,
      transferList: [changes.port2, ...(appends ? [appends] : [])],
    });
    this.worker = worker;
    const started = new Promise<void>((resolve) => (this.markStarted = resolve));
    worker.on('message', (message: FromProjectorsThread) => this.receive(message));
    worker.on('error', (error) => (this.thrown = error));
    const ended = new Promise<number>((resolve) => worker.once('exit', (code) => resolve(this.end(code))));
    this.ended = ended;

    const code = await Promise.race([started.then(() => undefined), ended]);
    if (code !== undefined) {
      if (this.stopping) return;
      throw this.thrown ?? new Error(`The projectors thread ended (code ${code}) before its projectors started`);
    }
    this.infrastructure.addReadinessCheck({ name: 'projectors', check: () => this.checkReadiness() });
    this.onEnd.push(includeMetricsOf(() => this.ask('metrics')));
  }

  /** Asks the thread to stop its projectors (they store their checkpoints) and close its stores, and waits until it has ended. */
  async stop(): Promise<void> {
    this.stopping = true;
    const { worker, ended } = this;
    if (!worker || !ended) return;
    worker.postMessage({ kind: 'stop' } satisfies ToProjectorsThread);
    const code = await ended;
    if (code !== 0) throw new Error(`The projectors thread stopped with code ${code}`);
  }

  /** The port the thread is told of appends on: a SQLite store wakes only the subscriptions of its own thread. */
  private forwardAppends(file: string): MessagePort {
    const { port1, port2 } = new MessageChannel();
    const stopForwarding = forwardSqliteAppends(file, port1);
    this.onEnd.push(() => {
      stopForwarding();
      port1.close();
    });
    return port2;
  }

  private receive(message: FromProjectorsThread): void {
    switch (message.kind) {
      case 'started':
        this.started = true;
        this.markStarted?.();
        return;
      case 'answer':
        this.settle(message.id, (question) => question.resolve(message.answer));
        return;
      case 'refusal':
        this.settle(message.id, (question) => question.reject(new Error(message.error)));
        return;
      default:
        message satisfies never;
    }
  }

  private end(code: number): number {
    this.worker = undefined;
    for (const undo of this.onEnd.splice(0)) undo();
    for (const id of [...this.questions.keys()]) this.settle(id, (question) => question.reject(new Error('The projectors thread has ended')));
    if (this.started && !this.stopping) this.options.onDied(this.thrown ?? new Error(`The projectors thread ended by itself (code ${code})`));
    return code;
  }

  private async checkReadiness(): Promise<void> {
    const report = await this.ask('readiness');
    const failed = report.checks.filter((check) => !check.ok);
    if (failed.length > 0) throw new Error(failed.map((check) => `${check.name}: ${check.error}`).join('; '));
  }

  private ask<Q extends ProjectorsThreadQuestion>(question: Q): Promise<ProjectorsThreadAnswers[Q]> {
    const { worker } = this;
    if (!worker) return Promise.reject(new Error('The projectors thread is not running'));
    const id = ++this.lastQuestionId;
    return new Promise((resolve, reject) => {
      this.questions.set(id, { resolve: resolve as (answer: unknown) => void, reject });
      worker.postMessage({ kind: 'ask', id, question } satisfies ToProjectorsThread);
    });
  }

  private settle(id: number, settle: (question: Question) => void): void {
    const question = this.questions.get(id);
    if (!question) return;
    this.questions.delete(id);
    settle(question);
  }
}
