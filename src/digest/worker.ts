/**
 * The code a hashing thread runs: it hashes byte ranges of files with
 * synchronous reads, so each thread keeps one core busy and the main thread
 * stays free.
 *
 * This file imports only Node built-ins, on purpose: the built package
 * loads it as `dist/digest/worker.js`, and tests load `src/digest/worker.ts`
 * directly through Node's type stripping, which cannot map the `.js`
 * specifiers of the other source files to their `.ts` names.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

/** One range of one file, with what the file looked like when planned. */
export interface HashJob {
  /** Absolute path to open (never followed if it is a link). */
  path: string;
  /** Path named in errors: relative to the model root. */
  name: string;
  /** First byte, included. */
  start: number;
  /** Last byte, excluded. */
  end: number;
  /** File size when the model was listed. */
  size: number;
  /** Modification time (ms) when the model was listed. */
  mtimeMs: number;
}

/** A batch of jobs, hashed in order by one thread. */
export interface HashTask {
  id: number;
  /** `node:crypto` algorithm name, such as `sha256` or `blake2b512`. */
  algorithm: string;
  jobs: HashJob[];
}

/** What a thread answers: progress, the digests, or why it failed. */
export type WorkerReply =
  | { type: 'progress'; id: number; bytes: number }
  | { type: 'done'; id: number; digests: string[] }
  | {
      type: 'error';
      id: number;
      code: string;
      message: string;
      errno?: string;
    };

/** Marks threads started by the pool, so importing this file does nothing. */
export const WORKER_MARK = 'model-provenance-digest-worker';

/** Never follow a link, never block on a FIFO swapped in after listing. */
const OPEN_FLAGS =
  constants.O_RDONLY |
  (constants.O_NOFOLLOW ?? 0) |
  (constants.O_NONBLOCK ?? 0);

/** 1 MiB reads measured fastest here: large, yet still warm in L2. */
const READ_SIZE = 1024 * 1024;

/** Progress is posted after this many bytes, not after every read. */
const PROGRESS_STEP = 32 * 1024 * 1024;

/** Thrown inside the thread; turned into a reply with its code. */
class JobError extends Error {
  readonly code: string;
  readonly errno: string | undefined;

  // No parameter properties: type stripping only erases, never rewrites.
  constructor(code: string, message: string, errno?: string) {
    super(message);
    this.code = code;
    this.errno = errno;
  }
}

/**
 * Hashes the byte range of one job, checking before and after that the file
 * is still the one that was listed.
 *
 * @param job - The range and the expected size and time.
 * @param algorithm - The `node:crypto` algorithm.
 * @param buffer - A reusable read buffer.
 * @param onBytes - Called with the count of bytes just hashed.
 * @returns The lower-case hex digest.
 * @throws JobError with a `DIGEST_*` code.
 */
export function hashJob(
  job: HashJob,
  algorithm: string,
  buffer: Buffer,
  onBytes: (bytes: number) => void,
): string {
  const fd = openJob(job);
  try {
    checkUnchanged(fd, job);
    const digest = hashRange(fd, job, algorithm, buffer, onBytes);
    checkUnchanged(fd, job);
    return digest;
  } finally {
    closeSync(fd);
  }
}

function openJob(job: HashJob): number {
  try {
    return openSync(job.path, OPEN_FLAGS);
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    if (errno === 'ELOOP') {
      throw new JobError(
        'DIGEST_SYMLINK',
        `expected a regular file, found a symbolic link: ${job.name}`,
        errno,
      );
    }
    throw new JobError('DIGEST_READ_FAILED', `cannot read ${job.name}`, errno);
  }
}

function checkUnchanged(fd: number, job: HashJob): void {
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    throw new JobError(
      'DIGEST_NOT_A_FILE',
      `expected a regular file, found another kind of entry: ${job.name}`,
    );
  }
  // A writer racing with us would make the digest describe no real state.
  if (stats.size !== job.size || stats.mtimeMs !== job.mtimeMs) {
    throw changed(
      job,
      `size ${job.size} then ${stats.size}, ` +
        `modified ${job.mtimeMs} then ${stats.mtimeMs}`,
    );
  }
}

function changed(job: HashJob, detail: string): JobError {
  return new JobError(
    'DIGEST_FILE_CHANGED',
    `file changed while hashing: ${job.name} (${detail})`,
  );
}

function hashRange(
  fd: number,
  job: HashJob,
  algorithm: string,
  buffer: Buffer,
  onBytes: (bytes: number) => void,
): string {
  const hash = createHash(algorithm);
  for (let pos = job.start; pos < job.end;) {
    const want = Math.min(buffer.length, job.end - pos);
    let got: number;
    try {
      got = readSync(fd, buffer, 0, want, pos);
    } catch (e) {
      const errno = (e as NodeJS.ErrnoException).code;
      throw new JobError(
        'DIGEST_READ_FAILED',
        `cannot read ${job.name}`,
        errno,
      );
    }
    if (got === 0) throw changed(job, `ended at ${pos} of ${job.end}`);
    hash.update(got === buffer.length ? buffer : buffer.subarray(0, got));
    pos += got;
    onBytes(got);
  }
  return hash.digest('hex');
}

/**
 * Runs one task and posts its replies; errors become one `error` reply.
 *
 * @param task - The batch to hash.
 * @param buffer - The thread's read buffer.
 * @param post - Where replies go.
 */
export function runTask(
  task: HashTask,
  buffer: Buffer,
  post: (reply: WorkerReply) => void,
): void {
  let pending = 0;
  const onBytes = (bytes: number): void => {
    pending += bytes;
    if (pending >= PROGRESS_STEP) {
      post({ type: 'progress', id: task.id, bytes: pending });
      pending = 0;
    }
  };
  try {
    const digests = task.jobs.map((job) =>
      hashJob(job, task.algorithm, buffer, onBytes),
    );
    if (pending > 0) post({ type: 'progress', id: task.id, bytes: pending });
    post({ type: 'done', id: task.id, digests });
  } catch (e) {
    post(errorReply(task.id, e));
  }
}

function errorReply(id: number, e: unknown): WorkerReply {
  if (e instanceof JobError) {
    return {
      type: 'error',
      id,
      code: e.code,
      message: e.message,
      ...(e.errno ? { errno: e.errno } : {}),
    };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { type: 'error', id, code: 'DIGEST_WORKER_FAILED', message };
}

if (parentPort !== null && workerData === WORKER_MARK) {
  const port = parentPort;
  const buffer = Buffer.allocUnsafe(READ_SIZE);
  port.on('message', (task: HashTask) => {
    runTask(task, buffer, (reply) => port.postMessage(reply));
  });
}
