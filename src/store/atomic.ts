import { randomBytes } from 'node:crypto';
import { lstat, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Random bytes in a temporary file's name (hex-encoded, twice as many). */
const RAND_BYTES = 6;

/** Exactly the names {@link writeFileAtomic} gives its temporary files. */
const TEMP_NAME = new RegExp(`^\\..+\\.[0-9a-f]{${RAND_BYTES * 2}}\\.tmp$`);

/**
 * A temporary file older than this was left by a writer that died: a live
 * one (even of a 256 MiB manifest) renames it long before.
 */
export const STALE_TEMP_MS = 10 * 60 * 1000;

/**
 * Writes a file so that a crash leaves the old content or the new, never
 * a part: a temporary file beside it, flushed, then renamed over it. The
 * file is created with `mode` (less the umask) from its first byte.
 *
 * @throws the file system's error, after removing the temporary file.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o644,
): Promise<void> {
  const rand = randomBytes(RAND_BYTES).toString('hex');
  const temp = join(dirname(path), `.${basename(path)}.${rand}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Removes from `dir` the temporary files of {@link writeFileAtomic} that a
 * killed writer left behind: names of exactly that pattern, regular files
 * only (no link is followed or removed, no folder entered), last modified
 * more than {@link STALE_TEMP_MS} ago, so a write in progress in another
 * process is left alone. Best effort: it never throws.
 *
 * @param dir - the folder `writeFileAtomic` wrote into.
 * @returns how many files it removed.
 */
export async function removeStaleTemps(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const cutoff = Date.now() - STALE_TEMP_MS;
  let removed = 0;
  for (const name of names.filter((n) => TEMP_NAME.test(n))) {
    const path = join(dir, name);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile() || info.mtimeMs >= cutoff) continue;
    // unlink removes a name, never a folder, and never follows a link.
    const gone = await unlink(path).then(
      () => true,
      () => false,
    );
    if (gone) removed += 1;
  }
  return removed;
}
