import { randomBytes } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  realpath,
  rename,
  rm,
} from 'node:fs/promises';
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
import { isEarlierExport, type IndexRef } from './earlier-export.js';

/** What is at the output path now. */
export type OutputState = 'absent' | 'empty' | 'earlier-export';

/**
 * Checks that a folder may receive an export: absent or empty, or, with
 * `force`, an earlier export (its index names `format` and it holds only
 * what an export writes); and that it neither is inside the model nor
 * holds it, links resolved, so that replacing it never touches the model.
 *
 * @throws ExportError `EXPORT_OUTPUT_UNUSABLE` for a path that is not a
 *   folder, overlaps the model, or cannot be read; `EXPORT_OUTPUT_NOT_EMPTY`
 *   for a folder that holds files, without `force` or that is not an
 *   earlier export.
 */
export async function checkOutput(
  outDir: string,
  modelPath: string,
  index: IndexRef,
  force: boolean,
): Promise<OutputState> {
  if (overlaps(await realTarget(outDir), await realTarget(modelPath))) {
    throw new ExportError(
      'EXPORT_OUTPUT_UNUSABLE',
      `${outDir}: expected a folder outside the model, found one that ` +
        `holds it or is inside it`,
    );
  }
  const info = await lstat(outDir).catch((cause: unknown) => {
    if (isCode(cause, 'ENOENT')) return undefined;
    throw unusable(outDir, cause);
  });
  if (info === undefined) return 'absent';
  if (!info.isDirectory()) {
    throw new ExportError(
      'EXPORT_OUTPUT_UNUSABLE',
      `${outDir}: expected a folder, found another kind of file`,
    );
  }
  const names = await readdir(outDir).catch((cause: unknown) => {
    throw unusable(outDir, cause);
  });
  if (names.length === 0) return 'empty';
  if (force && (await isEarlierExport(outDir, index))) {
    return 'earlier-export';
  }
  throw new ExportError(
    'EXPORT_OUTPUT_NOT_EMPTY',
    force
      ? `${outDir}: expected an empty folder or an earlier export (a ` +
          `${index.file} of this format, and nothing an export does not ` +
          `write), found ${names.length} entries that are not one`
      : `${outDir}: expected an empty folder, found ${names.length} ` +
          `entries (--force replaces an earlier export)`,
  );
}

/**
 * The path with links resolved: of the path itself, or of its deepest
 * existing ancestor with the rest appended, for a folder yet to be made.
 */
async function realTarget(path: string): Promise<string> {
  // Not path.resolve: it folds `link/..` before the link is followed,
  // where the file system follows the link first.
  let head = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(await realpath(head), ...rest);
    } catch (cause) {
      const parent = dirname(head);
      if (!isCode(cause, 'ENOENT') || parent === head) return resolve(path);
      rest.unshift(basename(head));
      head = parent;
    }
  }
}

function unusable(outDir: string, cause: unknown): ExportError {
  return new ExportError(
    'EXPORT_OUTPUT_UNUSABLE',
    `${outDir}: expected a folder that can be read, found one that cannot`,
    { cause },
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
 * @param index - the index's file name and format, to tell an earlier
 *   export once more after it is moved aside.
 * @throws ExportError `EXPORT_WRITE_FAILED` with the file system's error,
 *   after removing the temporary folder; `EXPORT_OUTPUT_NOT_EMPTY` when
 *   files appeared in the folder meanwhile.
 */
export async function writeDirAtomic(
  outDir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
  state: OutputState,
  index: IndexRef,
): Promise<void> {
  const parent = dirname(resolve(outDir));
  const temp = await writeTemp(parent, basename(outDir), files);
  try {
    if (state === 'earlier-export') await replace(outDir, temp, index);
    // A rename replaces an empty folder, never one that holds files.
    else await rename(temp, outDir);
  } catch (cause) {
    await rm(temp, { recursive: true, force: true });
    if (cause instanceof ExportError) throw cause;
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
    // mkdtemp makes it 0700: a web server of another user must read it.
    await chmod(temp, 0o755);
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

async function replace(
  outDir: string,
  temp: string,
  index: IndexRef,
): Promise<void> {
  const old = `${temp}.old-${randomBytes(4).toString('hex')}`;
  await rename(outDir, old);

  // Files may have appeared since the last check. Moved aside, the folder
  // no longer changes by its path: this look is the one that counts.
  if (!(await isEarlierExport(old, index))) {
    await rename(old, outDir);
    throw new ExportError(
      'EXPORT_OUTPUT_NOT_EMPTY',
      `${outDir}: files appeared in it while exporting`,
    );
  }

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
