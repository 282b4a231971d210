import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';

import { DigestError } from '../errors.js';
import { HashPool, sharedPool } from './pool.js';

/** The digest and size of one regular file. */
export interface FileDigest {
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
  /** Size in bytes. */
  size: number;
}

/** Options of {@link sha256File}. */
export interface HashFileOptions {
  /** A pool to hash in; default the shared pool (one thread a core). */
  pool?: HashPool;
  /** Progress, in bytes. */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

/**
 * Hashes a regular file with SHA-256 in a worker thread, reading it in
 * large blocks; the calling thread stays free.
 *
 * @param path - The file to hash.
 * @param opts - The pool and a progress callback.
 * @returns The lower-case hex digest of the file's content.
 * @throws {@link DigestError} `DIGEST_SYMLINK` for a symbolic link,
 *   `DIGEST_NOT_A_FILE` for anything but a regular file,
 *   `DIGEST_FILE_CHANGED` if size or modification time moved while hashing,
 *   `DIGEST_READ_FAILED` when the file cannot be read,
 *   `DIGEST_WORKER_FAILED` if the hashing thread dies.
 * @example
 * const hex = await sha256File('model/weights.safetensors');
 */
export async function sha256File(
  path: string,
  opts: HashFileOptions = {},
): Promise<string> {
  return (await hashFile(path, opts)).sha256;
}

/**
 * Hashes a regular file and reports its size; see {@link sha256File}.
 *
 * @param path - The file to hash.
 * @param opts - The pool and a progress callback.
 * @returns Digest and size.
 * @throws {@link DigestError} as {@link sha256File} does.
 */
export async function hashFile(
  path: string,
  opts: HashFileOptions = {},
): Promise<FileDigest> {
  const stats = await statOrThrow(path);
  checkKind(stats, path);

  const { size, mtimeMs } = stats;
  const job = { path, name: path, start: 0, end: size, size, mtimeMs };
  let done = 0;
  opts.onProgress?.(0, size);
  const pool = opts.pool ?? sharedPool();
  const onBytes = (bytes: number): void => {
    done += bytes;
    opts.onProgress?.(done, size);
  };
  const [digests] = await pool.run([[job]], 'sha256', onBytes);
  return { sha256: digests?.[0] ?? '', size };
}

async function statOrThrow(path: string): Promise<Stats> {
  try {
    return await lstat(path);
  } catch (cause) {
    throw new DigestError('DIGEST_READ_FAILED', `cannot read ${path}`, {
      cause,
    });
  }
}

function checkKind(stats: Stats, path: string): void {
  if (stats.isSymbolicLink()) {
    throw new DigestError(
      'DIGEST_SYMLINK',
      `expected a regular file, found a symbolic link: ${path}`,
    );
  }
  if (!stats.isFile()) {
    throw new DigestError(
      'DIGEST_NOT_A_FILE',
      `expected a regular file, found another kind of entry: ${path}`,
    );
  }
}
