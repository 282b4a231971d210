import type { Readable } from 'node:stream';

import { UsageError } from '../errors.js';

/** The argument that names standard input instead of a file. */
export const STDIN = '-';

/**
 * Reads all of standard input, for the commands that take `-` as a file.
 * Stops reading past `limit` bytes, so a hostile or endless stream costs
 * no more memory than the largest input the command accepts.
 *
 * @param what - What is read, for the error message ("bundle").
 * @param limit - The most bytes accepted.
 * @param stream - The stream to read; `process.stdin` by default.
 * @returns The bytes read.
 * @throws UsageError `USAGE_INPUT_UNREADABLE` when stdin is a terminal (a
 *   user who forgot the pipe would otherwise wait forever), cannot be read,
 *   is empty, or holds more than `limit` bytes.
 */
export async function readStdin(
  what: string,
  limit: number,
  stream: Readable & { isTTY?: boolean } = process.stdin,
): Promise<Buffer> {
  if (stream.isTTY === true) {
    throw unreadable(`expected the ${what} on stdin, found a terminal`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += bytes.length;
      if (size > limit) {
        stream.destroy();
        throw unreadable(`${what} on stdin is larger than ${limit} bytes`);
      }
      chunks.push(bytes);
    }
  } catch (cause) {
    if (cause instanceof UsageError) throw cause;
    throw unreadable(`cannot read ${what} from stdin`, cause);
  }
  if (size === 0) throw unreadable(`expected the ${what} on stdin, found none`);
  return Buffer.concat(chunks);
}

function unreadable(message: string, cause?: unknown): UsageError {
  return new UsageError('USAGE_INPUT_UNREADABLE', message, { cause });
}
