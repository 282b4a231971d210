import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../store/atomic.js';

/**
 * Writes a file that the user asked for (`--out`, `--output`), whole or
 * not at all, so that a failure never leaves a part of it.
 *
 * @param path - the file to write, as the user gave it.
 * @param data - its content.
 * @throws UsageError `USAGE_OUTPUT_UNWRITABLE` naming the file, with the
 *   file system's error as its cause.
 */
export async function writeOutputFile(
  path: string,
  data: string | Uint8Array,
): Promise<void> {
  try {
    await writeFileAtomic(path, data);
  } catch (cause) {
    const reason = (cause as { code?: unknown }).code;
    const found = typeof reason === 'string' ? ` (${reason})` : '';
    throw new UsageError(
      'USAGE_OUTPUT_UNWRITABLE',
      `cannot write ${path}: expected a writable file in an existing folder${found}`,
      { cause },
    );
  }
}
