// The embedded app's changes run on a worker thread (changes-thread.ts): the projectors that follow the log and
// write the read models, and the realtime endpoint that pushes what they publish to the WebSockets. The main
// thread keeps HTTP, the commands and the appends; it is the one the messages come in through, and the changes'
// work (projection writes, the WebSocket sends of every delivery) would otherwise share its core. This is the
// main thread's side: it starts and stops the thread, wakes the thread's subscriptions on appends made here, and
// adds the thread's readiness and metrics to the process's. With the hot state in memory (no REDIS_URL), each
// thread has a change feed of its own: this side bridges the presence topics between them (realtime reports
// connections there, the presence consumer here answers with presence changes) and serves the thread's calls to
// the hot state kept here (sessions, presence). With Redis, both threads reach Redis, as separate processes would.
import path from 'node:path';
import { type MessagePort, MessageChannel, Worker } from 'node:worker_threads';
import {
  type Config,
  type Infrastructure,
  type MetricsSnapshot,
  PRESENCE_CHANGES_TOPIC,
  PRESENCE_CONNECTIONS_TOPIC,
  type PublicKeySet,
  type ReadinessReport,
  bridgeChangeFeeds,
  forwardSqliteAppends,
  includeMetricsOf,
  serveKeyValue,
} from '@chat/platform';

/** The topics each thread's feed sends to the other's: the presence consumer is on the main thread, realtime on the worker. */
export const TOPICS_SENT_BY_MAIN_THREAD: readonly string[] = [PRESENCE_CHANGES_TOPIC];
export const TOPICS_SENT_BY_CHANGES_THREAD: readonly string[] = [PRESENCE_CONNECTIONS_TOPIC];

/** What the thread starts with. */
export interface ChangesThreadData {
  readonly config: Config;
  /** The access-token keys, loaded (and generated the first time) on the main thread: the thread only verifies. */
  readonly publicKeys: PublicKeySet;
  /** Where the WebSocket endpoint listens; port 0 takes a free one, which the thread reports when it has started. */
  readonly realtime: { readonly host: string; readonly port: number };
  /** With the hot state in memory: the thread's ends of the change feeds' bridge and of the hot state served here. */
  readonly inProcessHotState?: { readonly changes: MessagePort; readonly keyValue: MessagePort };
  /** With the SQLite event store only: another event store wakes subscriptions by itself. */
  readonly appends?: MessagePort;
}

export interface ChangesThreadAnswers {
  readonly metrics: MetricsSnapshot;
  readonly readiness: ReadinessReport;
}

export type ChangesThreadQuestion = keyof ChangesThreadAnswers;

/** What the main thread posts to the thread. */
export type ToChangesThread = { readonly kind: 'stop' } | { readonly kind: 'ask'; readonly id: number; readonly question: ChangesThreadQuestion };

/** What the thread posts back. */
export type FromChangesThread =
  | { readonly kind: 'started'; readonly realtimePort: number }
  | { readonly kind: 'answer'; readonly id: number; readonly answer: ChangesThreadAnswers[ChangesThreadQuestion] }
  | { readonly kind: 'refusal'; readonly id: number; readonly error: string };

interface Question {
  resolve(answer: unknown): void;
  reject(error: Error): void;
}

export interface ChangesWorkerOptions {
  readonly publicKeys: PublicKeySet;
  readonly realtime: { readonly host: string; readonly port: number };
  /** Called when the thread ends without being asked to stop, after it had started. */
  readonly onDied: (error: Error) => void;
  /** The thread's entry point; the compiled changes-thread.js beside this file by default. */
  readonly entry?: string;
}

/** The thread, once started. */
export interface StartedChangesThread {
  /** The port the WebSocket endpoint listens on. */
  readonly realtimePort: number;
}

export class ChangesWorker {
  private worker?: Worker;
  /** Resolves with the thread's exit code once it has ended. */
  private ended?: Promise<number>;
  private started = false;
  private stopping = false;
  private markStarted?: (started: StartedChangesThread) => void;
  /** What the thread threw, when it ended on an uncaught error. */
  private thrown?: Error;
  private readonly questions = new Map<number, Question>();
  private lastQuestionId = 0;
  /** Undoes, once the thread has ended, what starting it set up on this thread. */
  private readonly onEnd: (() => void)[] = [];

  constructor(
    private readonly infrastructure: Infrastructure,
    private readonly options: ChangesWorkerOptions,
  ) {}

  /**
   * Starts the thread; resolves once its projectors have started and its WebSocket endpoint listens, rejects when
   * the thread fails to start them.
   */
  async start(): Promise<StartedChangesThread> {
    const { config } = this.infrastructure;
    const inProcessHotState = config.hotState.kind === 'in-process' ? await this.shareHotState() : undefined;
    const appends = config.eventStore.kind === 'sqlite' ? this.forwardAppends(config.eventStore.file) : undefined;
    const { publicKeys, realtime } = this.options;
    const workerData: ChangesThreadData = { config, publicKeys, realtime, ...(inProcessHotState ? { inProcessHotState } : {}), ...(appends ? { appends } : {}) };
    const worker = new Worker(this.options.entry ?? path.join(__dirname, 'changes-thread.js'), {
      workerData,
      transferList: [...(inProcessHotState ? [inProcessHotState.changes, inProcessHotState.keyValue] : []), ...(appends ? [appends] : [])],
    });
    this.worker = worker;
    const started = new Promise<StartedChangesThread>((resolve) => (this.markStarted = resolve));
    worker.on('message', (message: FromChangesThread) => this.receive(message));
    worker.on('error', (error) => (this.thrown = error));
    const ended = new Promise<number>((resolve) => worker.once('exit', (code) => resolve(this.end(code))));
    this.ended = ended;

    const outcome = await Promise.race([started, ended]);
    if (typeof outcome === 'number') {
      throw this.thrown ?? new Error(`The changes thread ended (code ${outcome}) before it had started`);
    }
    this.infrastructure.addReadinessCheck({ name: 'changes thread', check: () => this.checkReadiness() });
    this.onEnd.push(includeMetricsOf(() => this.ask('metrics')));
    return outcome;
  }

  /**
   * Asks the thread to close its WebSocket endpoint and stop its projectors (they store their checkpoints) and
   * close its stores, and waits until it has ended.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const { worker, ended } = this;
    if (!worker || !ended) return;
    worker.postMessage({ kind: 'stop' } satisfies ToChangesThread);
    const code = await ended;
    if (code !== 0) throw new Error(`The changes thread stopped with code ${code}`);
  }

  /** The thread's ends of the bridge to this thread's change feed and of the hot state kept in this thread's memory. */
  private async shareHotState(): Promise<{ changes: MessagePort; keyValue: MessagePort }> {
    const changes = new MessageChannel();
    const unbridge = await bridgeChangeFeeds(changes.port1, await this.infrastructure.changeFeed(), { send: TOPICS_SENT_BY_MAIN_THREAD, logger: this.infrastructure.logger });
    this.onEnd.push(() => void unbridge());
    const keyValue = new MessageChannel();
    serveKeyValue(keyValue.port1, await this.infrastructure.keyValue());
    this.onEnd.push(() => keyValue.port1.close());
    return { changes: changes.port2, keyValue: keyValue.port2 };
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

  private receive(message: FromChangesThread): void {
    switch (message.kind) {
      case 'started':
        this.started = true;
        this.markStarted?.({ realtimePort: message.realtimePort });
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
    for (const id of [...this.questions.keys()]) this.settle(id, (question) => question.reject(new Error('The changes thread has ended')));
    if (this.started && !this.stopping) this.options.onDied(this.thrown ?? new Error(`The changes thread ended by itself (code ${code})`));
    return code;
  }

  private async checkReadiness(): Promise<void> {
    const report = await this.ask('readiness');
    const failed = report.checks.filter((check) => !check.ok);
    if (failed.length > 0) throw new Error(failed.map((check) => `${check.name}: ${check.error}`).join('; '));
  }

  private ask<Q extends ChangesThreadQuestion>(question: Q): Promise<ChangesThreadAnswers[Q]> {
    const { worker } = this;
    if (!worker) return Promise.reject(new Error('The changes thread is not running'));
    const id = ++this.lastQuestionId;
    return new Promise((resolve, reject) => {
      this.questions.set(id, { resolve: resolve as (answer: unknown) => void, reject });
      worker.postMessage({ kind: 'ask', id, question } satisfies ToChangesThread);
    });
  }

  private settle(id: number, settle: (question: Question) => void): void {
    const question = this.questions.get(id);
    if (!question) return;
    this.questions.delete(id);
    settle(question);
  }
}
