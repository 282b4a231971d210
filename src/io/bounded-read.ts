import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** How {@link readFileBounded} treats what the path names. */
export interface BoundedReadOptions {
  /** Follow a symbolic link at the path; default false: a link is refused. */
  followLink?: boolean;
  /**
   * Read what is not a regular file too (a device, a FIFO: still no more
   * than the bound); default false: such a file is refused unread.
   */
  allowSpecial?: boolean;
}

/** What {@link readFileBounded} found; the caller picks its own error. */
export type BoundedRead =
  | { ok: true; bytes: Buffer }
  /** `size`: the file's size, or at least as much as was read. */
  | { ok: false; problem: 'too-large'; size: number }
  | { ok: false; problem: 'not-file' }
  | { ok: false; problem: 'missing' | 'link' | 'unreadable'; cause: unknown };

/** What is read at first from a file whose size says nothing (a FIFO). */
const FIRST_CHUNK = 64 * 1024;

/**
 * Reads a whole file, refusing one of more than `max` bytes: a regular
 * file whose size says so is refused unread, and no read goes past
 * `max + 1` bytes, so a file that grows, a FIFO or a device cannot make
 * it read without end. It throws nothing: each failure is a result.
 *
 * @param path - the file.
 * @param max - the most bytes accepted.
 * @param options - whether links and special files are read.
 * @example
 * ```ts
 * const read = await readFileBounded(path, 1024 * 1024);
 * if (!read.ok) throw new PolicyError('POLICY_UNREADABLE', 'cannot read');
 * ```
 */
export async function readFileBounded(
  path: string,
  max: number,
  options: BoundedReadOptions = {},
): Promise<BoundedRead> {
  // O_NONBLOCK: opening a FIFO would wait for a writer, and the caller
  // that refuses special files must get its answer, not hang.
  const flags =
    constants.O_RDONLY |
    (options.followLink ? 0 : constants.O_NOFOLLOW) |
    (options.allowSpecial ? 0 : constants.O_NONBLOCK);
  let handle: FileHandle;
  try {
    handle = await open(path, flags);
  } catch (cause) {
    return { ok: false, problem: openProblem(cause, options), cause };
  }

  try {
    return await readOpen(handle, max, options);
  } catch (cause) {
    return { ok: false, problem: 'unreadable', cause };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function readOpen(
  handle: FileHandle,
  max: number,
  options: BoundedReadOptions,
): Promise<BoundedRead> {
  const info = await handle.stat();
  const regular = info.isFile();
  if (!regular && !options.allowSpecial) {
    return { ok: false, problem: 'not-file' };
  }
  if (regular && info.size > max) {
    return { ok: false, problem: 'too-large', size: info.size };
  }

  const first = regular ? info.size + 1 : FIRST_CHUNK;
  const bytes = await readAtMost(handle, max, first);
  if (bytes.length > max) {
    return { ok: false, problem: 'too-large', size: bytes.length };
  }
  return { ok: true, bytes };
}

/**
 * Reads to the end or until `max + 1` bytes are in, whichever is first,
 * into a buffer of `first` bytes that grows as needed.
 */
async function readAtMost(
  handle: FileHandle,
  max: number,
  first: number,
): Promise<Buffer> {
  const cap = max + 1;
  let buffer = Buffer.alloc(Math.min(first, cap));
  let filled = 0;
  for (;;) {
    if (filled === buffer.length) {
      if (filled === cap) return buffer;
      const next = Buffer.alloc(Math.min(buffer.length * 2, cap));
      buffer.copy(next, 0, 0, filled);
      buffer = next;
    }
    const { bytesRead } = await handle.read(
      buffer,
      filled,
      buffer.length - filled,
      null,
    );
    if (bytesRead === 0) return buffer.subarray(0, filled);
    filled += bytesRead;
  }
}

function openProblem(
  cause: unknown,
  options: BoundedReadOptions,
): 'missing' | 'link' | 'unreadable' {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'missing';
  // O_NOFOLLOW makes opening a link fail with ELOOP.
  if (code === 'ELOOP' && !options.followLink) return 'link';
  return 'unreadable';
}
