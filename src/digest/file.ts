import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';

import { DigestError } from '../errors.js';

/** Bytes read per call: large reads keep SHA-256, not syscalls, the limit. */
const READ_BUFFER_SIZE = 4 * 1024 * 1024;

/** Never follow a link, never block on a FIFO swapped in after `lstat`. */
const OPEN_FLAGS =
  constants.O_RDONLY |
  (constants.O_NOFOLLOW ?? 0) |
  (constants.O_NONBLOCK ?? 0);

/** The digest and size of one regular file. */
export interface FileDigest {
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
  /** Size in bytes. */
  size: number;
}

/**
 * Hashes a regular file with SHA-256, streaming it through `node:crypto`.
 *
 * @param path - The file to hash.
 * @returns The lower-case hex digest of the file's content.
 * @throws {@link DigestError} `DIGEST_SYMLINK` for a symbolic link,
 *   `DIGEST_NOT_A_FILE` for anything but a regular file,
 *   `DIGEST_FILE_CHANGED` if size or modification time moved while hashing,
 *   `DIGEST_READ_FAILED` when the file cannot be read.
 * @example
 * const hex = await sha256File('model/weights.safetensors');
 */
export async function sha256File(path: string): Promise<string> {
  return (await hashFile(path)).sha256;
}

/**
 * Hashes a regular file and reports its size; see {@link sha256File}.
 *
 * @param path - The file to hash.
 * @returns Digest and size.
 * @throws {@link DigestError} as {@link sha256File} does.
 */
export async function hashFile(path: string): Promise<FileDigest> {
  checkKind(await statOrThrow(path), path);

  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (cause) {
    throw readError(path, cause);
  }
  try {
    return await hashOpenFile(handle, path);
  } finally {
    await handle.close();
  }
}

async function hashOpenFile(
  handle: FileHandle,
  path: string,
): Promise<FileDigest> {
  const before = await handle.stat();
  checkKind(before, path);

  let digest: { sha256: string; total: number };
  try {
    digest = await hashStream(handle);
  } catch (cause) {
    throw readError(path, cause);
  }
  const total = digest.total;

  // A writer racing with us would make the digest describe no real state.
  const after = await handle.stat();
  if (
    after.size !== before.size ||
    after.mtimeMs !== before.mtimeMs ||
    total !== before.size
  ) {
    throw new DigestError(
      'DIGEST_FILE_CHANGED',
      `file changed while hashing: ${path} (size ${before.size} then ` +
        `${after.size}, read ${total})`,
    );
  }
  return { sha256: digest.sha256, size: total };
}

/**
 * Reads with two buffers: the next read runs in the thread pool while the
 * current chunk is hashed, so disk and SHA-256 overlap.
 */
async function hashStream(
  handle: FileHandle,
): Promise<{ sha256: string; total: number }> {
  const hash = createHash('sha256');
  const buffers = [
    Buffer.allocUnsafe(READ_BUFFER_SIZE),
    Buffer.allocUnsafe(READ_BUFFER_SIZE),
  ] as const;
  let total = 0;
  let turn = 0;
  let pending = handle.read(buffers[0], 0, READ_BUFFER_SIZE, 0);
  for (;;) {
    const { bytesRead, buffer } = await pending;
    if (bytesRead === 0) break;
    total += bytesRead;
    turn ^= 1;
    pending = handle.read(buffers[turn], 0, READ_BUFFER_SIZE, total);
    hash.update(buffer.subarray(0, bytesRead));
  }
  return { sha256: hash.digest('hex'), total };
}

async function statOrThrow(path: string): Promise<Stats> {
  try {
    return await lstat(path);
  } catch (cause) {
    throw readError(path, cause);
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

function readError(path: string, cause: unknown): DigestError {
  if (isErrno(cause, 'ELOOP')) {
    return new DigestError(
      'DIGEST_SYMLINK',
      `expected a regular file, found a symbolic link: ${path}`,
      { cause },
    );
  }
  return new DigestError('DIGEST_READ_FAILED', `cannot read ${path}`, {
    cause,
  });
}

function isErrno(e: unknown, code: string): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === code;
}
