import type { HashPool } from './pool.js';
import type { ListedFile } from './walk.js';
import type { HashJob } from './worker.js';

/** One resource of the manifest to be: a whole file or one shard of it. */
export interface PlannedItem {
  file: ListedFile;
  start: number;
  end: number;
}

/** Items hashed together by one thread, and where their digests go. */
export interface Batch {
  jobs: HashJob[];
  items: number[];
  bytes: number;
}

/** Small files are sent in batches of about this many bytes. */
const BATCH_BYTES = 8 * 1024 * 1024;

/** ...and at most this many files, so that one batch stays short. */
const BATCH_ITEMS = 256;

/**
 * The items of a manifest, in manifest order (files already sorted): one
 * per file, or one per shard of `shardSize` bytes. An empty file has no
 * shard, as in the OpenSSF Model Signing format.
 *
 * @param files - The files, sorted.
 * @param shardSize - Bytes per shard, or `undefined` for whole files.
 * @returns The items.
 */
export function planItems(
  files: readonly ListedFile[],
  shardSize: number | undefined,
): PlannedItem[] {
  const items: PlannedItem[] = [];
  for (const file of files) {
    if (shardSize === undefined) {
      items.push({ file, start: 0, end: file.size });
      continue;
    }
    for (let start = 0; start < file.size; start += shardSize) {
      items.push({ file, start, end: Math.min(start + shardSize, file.size) });
    }
  }
  return items;
}

/**
 * Groups items into batches for the threads: large items alone, small
 * ones together, and the largest batches first, so that the threads end
 * at about the same time.
 *
 * @param items - The planned items.
 * @returns The batches, largest first.
 */
export function planBatches(items: readonly PlannedItem[]): Batch[] {
  const order = items
    .map((item, index) => ({ index, bytes: item.end - item.start }))
    .sort((a, b) => b.bytes - a.bytes);

  const batches: Batch[] = [];
  let open: Batch = { jobs: [], items: [], bytes: 0 };
  for (const { index, bytes } of order) {
    const full =
      open.bytes + bytes > BATCH_BYTES || open.items.length >= BATCH_ITEMS;
    if (full && open.items.length > 0) {
      batches.push(open);
      open = { jobs: [], items: [], bytes: 0 };
    }
    open.jobs.push(toJob(items[index]));
    open.items.push(index);
    open.bytes += bytes;
  }
  if (open.items.length > 0) batches.push(open);
  return batches;
}

function toJob({ file, start, end }: PlannedItem): HashJob {
  return {
    path: file.open,
    name: file.path,
    start,
    end,
    size: file.size,
    mtimeMs: file.mtimeMs,
  };
}

/**
 * Hashes planned items in a pool, reporting progress in bytes.
 *
 * @param items - The items, in manifest order.
 * @param algorithm - The `node:crypto` algorithm.
 * @param pool - The pool to hash in.
 * @param onProgress - Called with bytes done and bytes in all.
 * @returns One hex digest per item, in the items' order.
 * @throws {@link DigestError} the first error any item met.
 */
export async function hashItems(
  items: readonly PlannedItem[],
  algorithm: string,
  pool: HashPool,
  onProgress?: (done: number, total: number) => void,
): Promise<string[]> {
  const total = items.reduce((n, item) => n + item.end - item.start, 0);
  let done = 0;
  onProgress?.(0, total);
  const onBytes = (bytes: number): void => {
    done += bytes;
    onProgress?.(done, total);
  };

  const batches = planBatches(items);
  const jobs = batches.map((b) => b.jobs);
  const results = await pool.run(jobs, algorithm, onBytes);
  const digests = new Array<string>(items.length);
  batches.forEach((batch, b) => {
    batch.items.forEach((item, j) => (digests[item] = results[b]?.[j] ?? ''));
  });
  return digests;
}
