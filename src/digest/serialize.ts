import { basename } from 'node:path';

import { DigestError } from '../errors.js';
import {
  hashAlgorithm,
  nodeHashName,
  type HashAlgorithm,
} from './algorithm.js';
import { hashItems, planItems, type PlannedItem } from './plan.js';
import { HashPool, sharedPool } from './pool.js';
import { combineDigests } from './root-digest.js';
import { listModel } from './walk.js';

/** The OpenSSF Model Signing root digest, shared with the browser core. */
export { combineDigests } from './root-digest.js';

/** A lower-case hex SHA-256 digest. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The two serializations of the OpenSSF Model Signing format. */
export type SerializationMethod = 'files' | 'shards';

/** The shard size of the OpenSSF Model Signing tool: 1 GB. */
export const DEFAULT_SHARD_SIZE = 1_000_000_000;

/** Most shards one manifest may list (about 200 MB of manifest in memory). */
const MAX_SHARDS = 1_000_000;

/** Called as bytes are hashed; `bytesDone` reaches `bytesTotal` at the end. */
export type ProgressCallback = (bytesDone: number, bytesTotal: number) => void;

/** How a manifest was made: enough to make it again and compare. */
export interface Serialization {
  method: SerializationMethod;
  hashType: HashAlgorithm;
  /** Bytes per shard; `shards` only. */
  shardSize?: number;
  allowSymlinks: boolean;
  /** Ignore patterns in force (defaults first); none for a single file. */
  ignorePaths: string[];
}

/** One resource of the manifest: a file, or one shard of a file. */
export interface Resource {
  /** OpenSSF Model Signing name: `path`, or `path:start:end` for a shard. */
  name: string;
  /** `sha256`, `blake2b`, or for shards e.g. `sha256-sharded-1000000000`. */
  algorithm: string;
  /** Lower-case hex digest of the bytes. */
  digest: string;
  /** POSIX path relative to the model root; `.` when the model is a file. */
  path: string;
  /** First byte, included. */
  start: number;
  /** Last byte, excluded. */
  end: number;
}

/** A model serialized as the OpenSSF Model Signing format does. */
export interface SerializedModel {
  /** The last component of the model's path (informative only). */
  modelName: string;
  serialization: Serialization;
  /** Resources in the format's order: by path, then by offset. */
  resources: Resource[];
  /** SHA-256 over the raw resource digests, in order: the subject digest. */
  rootDigest: string;
  /** Bytes hashed. */
  bytes: number;
}

/** Options of {@link serializeModel}. */
export interface SerializeOptions {
  /** `files` (default): one digest per file; `shards`: one per shard. */
  serialization?: SerializationMethod;
  /** Bytes per shard, default {@link DEFAULT_SHARD_SIZE}. */
  shardSize?: number;
  /** Hash of files and shards, default `sha256`. */
  hash?: HashAlgorithm;
  /** Ignore patterns added to `.mprov` and `.git`; see `compileIgnores`. */
  ignore?: readonly string[];
  /** Hash links to files inside the model as their target (default off). */
  allowSymlinks?: boolean;
  /** Return an empty manifest instead of throwing `DIGEST_EMPTY_MODEL`. */
  allowEmpty?: boolean;
  /** Hashing threads for this call; default the shared pool (one a core). */
  threads?: number;
  /** Progress, in bytes. */
  onProgress?: ProgressCallback;
  /**
   * SHA-256 digests this process computed moments ago for files of the
   * same model (as `digestModel` gives them): a file listed with the same
   * path and size is not read again. Used only for `files` serialization
   * with SHA-256 and links refused. The caller vouches for them, and must
   * check afterwards that the files did not change (as `verifyChain`
   * does).
   */
  alreadyHashed?: readonly HashedFile[];
}

/** A file's SHA-256, as {@link SerializeOptions.alreadyHashed} takes it. */
export interface HashedFile {
  path: string;
  sha256: string;
  size: number;
}

/**
 * Hashes a model directory (or a single file) in parallel worker threads
 * into the manifest of the OpenSSF Model Signing format, in its `files` or
 * `shards` serialization, with SHA-256 or BLAKE2b. The root digest equals
 * the subject digest that format's tool computes over the same files.
 *
 * `.mprov` and `.git` are always ignored. Links and special files are
 * refused unless `allowSymlinks` admits links to files inside the model.
 * A file that changes while it is hashed fails the whole digest.
 *
 * @param root - The model directory or file.
 * @param opts - Serialization, hash, ignores, links, threads, progress.
 * @returns The serialized model.
 * @throws {@link DigestError} `DIGEST_BAD_OPTIONS`, `DIGEST_EMPTY_MODEL`,
 *   `DIGEST_BAD_PATH`, `DIGEST_SYMLINK`, `DIGEST_SYMLINK_ESCAPE`,
 *   `DIGEST_NOT_A_FILE`, `DIGEST_FILE_CHANGED`, `DIGEST_READ_FAILED`,
 *   `DIGEST_WORKER_FAILED`.
 * @example
 * const model = await serializeModel('out/model', {
 *   serialization: 'shards',
 *   onProgress: (done, total) => report(done / total),
 * });
 * const subject = { name: model.modelName, digest: model.rootDigest };
 */
export async function serializeModel(
  root: string,
  opts: SerializeOptions = {},
): Promise<SerializedModel> {
  const serialization = checkOptions(opts);
  const dedicated =
    opts.threads === undefined ? undefined : new HashPool(opts.threads);
  const pool = dedicated ?? sharedPool();
  try {
    pool.start();
    return await serializeWith(pool, root, serialization, opts);
  } finally {
    await dedicated?.close();
  }
}

async function serializeWith(
  pool: HashPool,
  root: string,
  serialization: Serialization,
  opts: SerializeOptions,
): Promise<SerializedModel> {
  const { files, ignorePaths } = await listModel(
    root,
    opts.ignore ?? [],
    serialization.allowSymlinks,
  );
  serialization.ignorePaths = ignorePaths;
  if (files.length === 0 && opts.allowEmpty !== true) {
    throw new DigestError(
      'DIGEST_EMPTY_MODEL',
      `expected at least one file in ${root}, found none after ignores`,
    );
  }

  checkShardCount(files, serialization.shardSize);
  const items = planItems(files, serialization.shardSize);
  const digests = await digestItems(items, serialization, pool, opts);
  const resourceAlg = resourceAlgorithm(serialization);
  const resources = items.map(({ file, start, end }, i) => ({
    name: serialization.shardSize ? `${file.path}:${start}:${end}` : file.path,
    algorithm: resourceAlg,
    digest: digests[i] ?? '',
    path: file.path,
    start,
    end,
  }));
  return {
    modelName: basename(root),
    serialization,
    resources,
    rootDigest: combineDigests(resources.map((r) => r.digest)),
    bytes: items.reduce((n, item) => n + item.end - item.start, 0),
  };
}

/** Hashes the items, except files whose digest the caller already has. */
async function digestItems(
  items: readonly PlannedItem[],
  serialization: Serialization,
  pool: HashPool,
  opts: SerializeOptions,
): Promise<string[]> {
  const algorithm = nodeHashName(serialization.hashType);
  const known = reusable(serialization, opts.alreadyHashed);
  const digests = items.map(({ file }) => {
    const hashed = known.get(file.path);
    return hashed?.size === file.size ? hashed.sha256 : undefined;
  });
  const left = items.filter((_, i) => digests[i] === undefined);
  const fresh = await hashItems(left, algorithm, pool, opts.onProgress);
  let next = 0;
  return digests.map((d) => d ?? freshDigest(fresh, next++));
}

/** A digest the threads returned; a missing one is a fault, never ''. */
function freshDigest(fresh: readonly string[], at: number): string {
  const digest = fresh[at];
  if (digest === undefined || digest === '') {
    throw new DigestError(
      'DIGEST_WORKER_FAILED',
      `expected a digest for every file hashed, found none at ${at}`,
    );
  }
  return digest;
}

function reusable(
  serialization: Serialization,
  given: readonly HashedFile[] | undefined,
): Map<string, HashedFile> {
  const fits =
    serialization.method === 'files' &&
    serialization.hashType === 'sha256' &&
    !serialization.allowSymlinks;
  if (!fits || given === undefined) return new Map();
  return new Map(
    given.filter((f) => SHA256_HEX.test(f.sha256)).map((f) => [f.path, f]),
  );
}

function checkOptions(opts: SerializeOptions): Serialization {
  const method = opts.serialization ?? 'files';
  if (method !== 'files' && method !== 'shards') {
    throw new DigestError(
      'DIGEST_BAD_OPTIONS',
      `expected serialization files or shards, found ${String(method)}`,
    );
  }
  const hashType = hashAlgorithm(opts.hash ?? 'sha256');
  const base = {
    method,
    hashType,
    allowSymlinks: opts.allowSymlinks === true,
    ignorePaths: [],
  };
  if (method === 'files') return base;
  const shardSize = opts.shardSize ?? DEFAULT_SHARD_SIZE;
  if (!Number.isSafeInteger(shardSize) || shardSize < 1) {
    throw new DigestError(
      'DIGEST_BAD_OPTIONS',
      `expected a shard size of at least 1 byte, found ${shardSize}`,
    );
  }
  return { ...base, shardSize };
}

/** A manifest lists every shard: refuse sizes that would flood memory. */
function checkShardCount(
  files: readonly { size: number }[],
  shardSize: number | undefined,
): void {
  if (shardSize === undefined) return;
  const count = files.reduce((n, f) => n + Math.ceil(f.size / shardSize), 0);
  if (count > MAX_SHARDS) {
    throw new DigestError(
      'DIGEST_BAD_OPTIONS',
      `expected at most ${MAX_SHARDS} shards, found ${count} at shard size ` +
        `${shardSize}`,
    );
  }
}

function resourceAlgorithm(s: Serialization): string {
  return s.shardSize ? `${s.hashType}-sharded-${s.shardSize}` : s.hashType;
}
