import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { StoreError } from '../errors.js';
import { removeStaleTemps, writeFileAtomic } from './atomic.js';

/** What a folder of content-addressed entries holds, and how it names them. */
export interface EntryKind {
  /** The entry's noun in messages: `attestation`, `manifest`. */
  what: string;
  /** The largest entry accepted, in bytes. */
  maxBytes: number;
  /** The file name of the entry whose bytes hash to `sha256` (hex). */
  fileName(sha256: string): string;
}

/**
 * Writes `bytes` into `dir` under the name their SHA-256 gives them,
 * atomically, after sweeping the stale temporary files of killed writers.
 * The address is always hashed here, never taken from the caller.
 *
 * @returns the SHA-256 of the bytes, lower-case hex.
 * @throws StoreError `STORE_ENTRY_TOO_LARGE` above `kind.maxBytes`, unwritten;
 *   `STORE_WRITE_FAILED` when the folder or the file cannot be written.
 */
export async function addEntry(
  dir: string,
  bytes: Uint8Array,
  kind: EntryKind,
): Promise<string> {
  if (bytes.length > kind.maxBytes) {
    throw new StoreError(
      'STORE_ENTRY_TOO_LARGE',
      `${kind.what} is ${bytes.length} bytes, limit ${kind.maxBytes}`,
    );
  }
  const sha256 = sha256Hex(bytes);

  try {
    await mkdir(dir, { recursive: true });
    await removeStaleTemps(dir);
    await writeFileAtomic(join(dir, kind.fileName(sha256)), bytes);
  } catch (cause) {
    throw new StoreError('STORE_WRITE_FAILED', `cannot write ${kind.what}`, {
      cause,
    });
  }
  return sha256;
}

/** SHA-256 of `bytes`, lower-case hex: an entry's address. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
