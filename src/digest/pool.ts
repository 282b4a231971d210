import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

import { DigestError, type DigestErrorCode } from '../errors.js';
import {
  WORKER_MARK,
  type HashJob,
  type HashTask,
  type WorkerReply,
} from './worker.js';

/** Tasks queued on one thread at once, so it never waits for the next. */
const TASKS_PER_THREAD = 2;

/** One run: a set of tasks whose digests are awaited together. */
interface Run {
  digests: string[][];
  left: number;
  failed: boolean;
  onBytes: (bytes: number) => void;
  resolve: (digests: string[][]) => void;
  reject: (error: DigestError) => void;
}

interface Queued {
  run: Run;
  index: number;
  task: HashTask;
}

interface Thread {
  worker: Worker;
  inFlight: Map<number, Queued>;
}

/**
 * The worker file next to this module: `worker.js` in the built package,
 * `worker.ts` when the sources run directly (tests), which Node 22 loads by
 * stripping its types.
 */
function workerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./worker.${ext}`, import.meta.url);
}

/**
 * A pool of hashing threads (`node:worker_threads`). Idle threads do not
 * keep the process alive; busy ones do.
 */
export class HashPool {
  readonly size: number;
  #threads: Thread[] = [];
  #queue: Queued[] = [];
  #nextId = 1;

  /**
   * @param size - Threads to run; defaults to the machine's parallelism.
   * @throws {@link DigestError} `DIGEST_BAD_OPTIONS` for a size below 1.
   */
  constructor(size: number = availableParallelism()) {
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new DigestError(
        'DIGEST_BAD_OPTIONS',
        `expected a thread count of at least 1, found ${size}`,
      );
    }
    this.size = size;
  }

  /**
   * Hashes batches of jobs; each batch runs in order on one thread.
   *
   * @param batches - The jobs, grouped.
   * @param algorithm - The `node:crypto` algorithm.
   * @param onBytes - Called as bytes are hashed.
   * @returns The hex digests, batch by batch, job by job.
   * @throws {@link DigestError} the first error any job met.
   */
  run(
    batches: readonly HashJob[][],
    algorithm: string,
    onBytes: (bytes: number) => void = () => undefined,
  ): Promise<string[][]> {
    if (batches.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const run: Run = {
        digests: new Array<string[]>(batches.length),
        left: batches.length,
        failed: false,
        onBytes,
        resolve,
        reject,
      };
      batches.forEach((jobs, index) => {
        const task = { id: this.#nextId++, algorithm, jobs };
        this.#queue.push({ run, index, task });
      });
      this.#dispatch();
    });
  }

  /**
   * Starts the threads ahead of the work (they take tens of milliseconds to
   * boot), so that booting overlaps with listing the model.
   */
  start(): void {
    while (this.#threads.length < this.size) this.#spawn().worker.unref();
  }

  /** Stops every thread; queued work fails with `DIGEST_WORKER_FAILED`. */
  async close(): Promise<void> {
    const threads = this.#threads.splice(0);
    const inFlight = threads.flatMap((t) => [...t.inFlight.values()]);
    this.#failQueued([...inFlight, ...this.#queue.splice(0)], 'pool closed');
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const thread = this.#freeThread();
      if (thread === undefined) return;
      const queued = this.#queue.shift();
      if (queued === undefined) return;
      if (queued.run.failed) continue;
      thread.inFlight.set(queued.task.id, queued);
      thread.worker.ref();
      thread.worker.postMessage(queued.task);
    }
  }

  #freeThread(): Thread | undefined {
    let best: Thread | undefined;
    for (const t of this.#threads) {
      if (best === undefined || t.inFlight.size < best.inFlight.size) best = t;
    }
    if (best !== undefined && best.inFlight.size === 0) return best;
    if (this.#threads.length < this.size) return this.#spawn();
    return best !== undefined && best.inFlight.size < TASKS_PER_THREAD
      ? best
      : undefined;
  }

  #spawn(): Thread {
    const worker = new Worker(workerUrl(), { workerData: WORKER_MARK });
    const thread: Thread = { worker, inFlight: new Map() };
    worker.on('message', (reply: WorkerReply) => this.#onReply(thread, reply));
    worker.on('error', (e) => this.#onDeath(thread, e));
    worker.on('exit', (code) => this.#onDeath(thread, code));
    this.#threads.push(thread);
    return thread;
  }

  #onReply(thread: Thread, reply: WorkerReply): void {
    const queued = thread.inFlight.get(reply.id);
    if (queued === undefined) return;
    const { run, index } = queued;
    if (reply.type === 'progress') {
      if (!run.failed) run.onBytes(reply.bytes);
      return;
    }
    thread.inFlight.delete(reply.id);
    if (thread.inFlight.size === 0) thread.worker.unref();
    if (reply.type === 'done') {
      run.digests[index] = reply.digests;
      if (--run.left === 0 && !run.failed) run.resolve(run.digests);
    } else {
      fail(run, replyError(reply));
    }
    this.#dispatch();
  }

  #onDeath(thread: Thread, why: unknown): void {
    const at = this.#threads.indexOf(thread);
    if (at === -1) return;
    this.#threads.splice(at, 1);
    this.#failQueued([...thread.inFlight.values()], describe(why), why);
    thread.inFlight.clear();
    this.#dispatch();
  }

  #failQueued(queued: Queued[], why: string, cause?: unknown): void {
    for (const { run } of queued) {
      const message = `hashing thread stopped: ${why}`;
      fail(run, new DigestError('DIGEST_WORKER_FAILED', message, { cause }));
    }
  }
}

function fail(run: Run, error: DigestError): void {
  if (run.failed) return;
  run.failed = true;
  run.reject(error);
}

function replyError(reply: WorkerReply & { type: 'error' }): DigestError {
  const cause =
    reply.errno === undefined
      ? undefined
      : Object.assign(new Error(reply.errno), { code: reply.errno });
  return new DigestError(reply.code as DigestErrorCode, reply.message, {
    cause,
  });
}

function describe(why: unknown): string {
  if (why instanceof Error) return why.message;
  return `exit code ${String(why)}`;
}

let shared: HashPool | undefined;

/**
 * The process-wide pool, sized to the machine, started on first use. Its
 * idle threads do not keep the process alive.
 *
 * @returns The shared pool.
 */
export function sharedPool(): HashPool {
  shared ??= new HashPool();
  return shared;
}
