import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import {
  basename,
  dirname,
  isAbsolute,
  join,
  relative,
  resolve,
  sep,
} from 'node:path';

import { ExportError } from '../errors.js';
import { writeFileAtomic } from '../store/atomic.js';

/** What is at the output path now. */
export type OutputState = 'absent' | 'empty' | 'earlier-export';

/**
 * Checks that a folder may receive an export: absent or empty, or, with
 * `force`, an earlier export (it holds `marker`); and that it neither is
 * inside the model nor holds it, so that replacing it never touches the
 * model.
 *
 * @throws ExportError `EXPORT_OUTPUT_UNUSABLE` for a path that is not a
 *   folder, or overlaps the model; `EXPORT_OUTPUT_NOT_EMPTY` for a folder
 *   that holds files, without `force` or without `marker`.
 */
export async function checkOutput(
  outDir: string,
  modelPath: string,
  marker: string,
  force: boolean,
): Promise<OutputState> {
  if (overlaps(resolve(outDir), resolve(modelPath))) {
    throw new ExportError(
      'EXPORT_OUTPUT_UNUSABLE',
      `${outDir}: expected a folder outside the model, found one that ` +
        `holds it or is inside it`,
    );
  }
  const info = await lstat(outDir).catch(() => undefined);
  if (info === undefined) return 'absent';
  if (!info.isDirectory()) {
    throw new ExportError(
      'EXPORT_OUTPUT_UNUSABLE',
      `${outDir}: expected a folder, found another kind of file`,
    );
  }
  const names = await readdir(outDir);
  if (names.length === 0) return 'empty';
  if (force && names.includes(marker)) return 'earlier-export';
  throw new ExportError(
    'EXPORT_OUTPUT_NOT_EMPTY',
    force
      ? `${outDir}: expected an empty folder or an earlier export (with ` +
          `${marker}), found ${names.length} other entries`
      : `${outDir}: expected an empty folder, found ${names.length} ` +
          `entries (--force replaces an earlier export)`,
  );
}

/** True when one path is the other or inside it. */
function overlaps(a: string, b: string): boolean {
  const inside = (child: string, parent: string) => {
    const rel = relative(parent, child);
    const up = rel === '..' || rel.startsWith(`..${sep}`);
    return !up && !isAbsolute(rel);
  };
  return inside(a, b) || inside(b, a);
}

/**
 * Writes a folder whole or not at all: every file into a temporary folder
 * beside it, then one rename into place. An earlier export is moved aside
 * first and removed after, or moved back if the rename fails.
 *
 * @param outDir - the folder to create or replace.
 * @param files - relative POSIX path to content.
 * @param state - what {@link checkOutput} found there.
 * @throws ExportError `EXPORT_WRITE_FAILED` with the file system's error,
 *   after removing the temporary folder; `EXPORT_OUTPUT_NOT_EMPTY` when
 *   files appeared in the folder meanwhile.
 */
export async function writeDirAtomic(
  outDir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
  state: OutputState,
): Promise<void> {
  const parent = dirname(resolve(outDir));
  const temp = await writeTemp(parent, basename(outDir), files);
  try {
    if (state === 'earlier-export') await replace(outDir, temp);
    // A rename replaces an empty folder, never one that holds files.
    else await rename(temp, outDir);
  } catch (cause) {
    await rm(temp, { recursive: true, force: true });
    if (isCode(cause, 'ENOTEMPTY') || isCode(cause, 'EEXIST')) {
      throw new ExportError(
        'EXPORT_OUTPUT_NOT_EMPTY',
        `${outDir}: files appeared in it while exporting`,
        { cause },
      );
    }
    throw writeFailed(outDir, cause);
  }
}

async function writeTemp(
  parent: string,
  name: string,
  files: ReadonlyMap<string, string | Uint8Array>,
): Promise<string> {
  let temp: string | undefined;
  try {
    await mkdir(parent, { recursive: true });
    temp = await mkdtemp(join(parent, `.${name}.`));
    for (const [path, data] of files) {
      const target = join(temp, ...path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      // Flushed: the rename that follows must not publish holes.
      await writeFileAtomic(target, data);
    }
    return temp;
  } catch (cause) {
    if (temp !== undefined) await rm(temp, { recursive: true, force: true });
    throw writeFailed(join(parent, name), cause);
  }
}

async function replace(outDir: string, temp: string): Promise<void> {
  const old = `${temp}.old-${randomBytes(4).toString('hex')}`;
  await rename(outDir, old);
  try {
    await rename(temp, outDir);
  } catch (error) {
    await rename(old, outDir);
    throw error;
  }
  await rm(old, { recursive: true, force: true });
}

function writeFailed(path: string, cause: unknown): ExportError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const found = typeof code === 'string' ? ` (${code})` : '';
  return new ExportError(
    'EXPORT_WRITE_FAILED',
    `cannot write ${path}: expected a writable folder${found}`,
    { cause },
  );
}

function isCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown } | undefined)?.code === code;
}
