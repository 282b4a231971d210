import { lstatSync, type Dirent, type Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';

import { DigestError } from '../errors.js';
import { compileIgnores, type IgnoreRules } from './ignore.js';
import { comparePaths, foldCollision, unsafePathReason } from './posix-path.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Files stat'ed between two yields to the event loop (about 1 ms). */
const STAT_SLICE = 256;

/** A regular file of the model, as it was when listed. */
export interface ListedFile {
  /** POSIX path relative to the model root. */
  path: string;
  /** Absolute path to open: the file itself, or a link's resolved target. */
  open: string;
  size: number;
  mtimeMs: number;
}

/** How {@link listFiles} treats what it finds. */
export interface ListOptions {
  ignore: IgnoreRules;
  /** Hash links to files inside the root as their target; else refuse. */
  allowSymlinks: boolean;
}

/** A model's files, sorted, and the ignore patterns that were applied. */
export interface ListedModel {
  files: ListedFile[];
  /** Patterns in force; none for a single-file model. */
  ignorePaths: string[];
}

/**
 * Lists a model: a directory's files in OpenSSF Model Signing order, or a
 * single file named `.`. The root itself is never followed if it is a link.
 *
 * @param root - The model directory or file.
 * @param ignore - User ignore patterns, added to the defaults.
 * @param allowSymlinks - Whether links to files inside are admitted.
 * @returns The files and the patterns.
 * @throws {@link DigestError} as {@link listFiles} does.
 */
export async function listModel(
  root: string,
  ignore: readonly string[],
  allowSymlinks: boolean,
): Promise<ListedModel> {
  const rules = compileIgnores(ignore);
  const stats = await statOrThrow(lstat, root, root);
  if (stats.isFile()) {
    const { size, mtimeMs } = stats;
    return {
      files: [{ path: '.', open: root, size, mtimeMs }],
      ignorePaths: [],
    };
  }
  if (!stats.isDirectory()) throw rootKindError(root, stats);

  const files = await listFiles(root, { ignore: rules, allowSymlinks });
  const collision = foldCollision(files.map((f) => f.path));
  if (collision) {
    throw new DigestError(
      'DIGEST_BAD_PATH',
      `${JSON.stringify(collision[0])} and ${JSON.stringify(collision[1])} ` +
        'are one name after Unicode normalization or case folding',
    );
  }
  files.sort((a, b) => comparePaths(a.path, b.path));
  return { files, ignorePaths: [...rules.patterns] };
}

/**
 * Lists the regular files under `root`, skipping ignored paths. Refuses
 * special files, and links unless allowed, instead of skipping them, so
 * that nothing in the bundle escapes the manifest unnoticed.
 *
 * @param root - The model directory.
 * @param opts - Ignore rules and the link policy.
 * @returns The files, unsorted.
 * @throws {@link DigestError} `DIGEST_SYMLINK`, `DIGEST_SYMLINK_ESCAPE`,
 *   `DIGEST_NOT_A_FILE`, `DIGEST_BAD_PATH` or `DIGEST_READ_FAILED`.
 */
export async function listFiles(
  root: string,
  opts: ListOptions,
): Promise<ListedFile[]> {
  const realRoot = opts.allowSymlinks ? await realpathOrThrow(root, '.') : '';
  const files: ListedFile[] = [];
  const pending: string[] = [''];
  let statted = 0;
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const entry of await readEntries(root, dir)) {
      const name = decodeName(entry.name, dir);
      const rel = dir === '' ? name : `${dir}/${name}`;
      if (opts.ignore.matches(rel)) continue;
      if (entry.isDirectory()) pending.push(rel);
      else if (entry.isFile()) files.push(regularFile(root, rel));
      else if (entry.isSymbolicLink() && opts.allowSymlinks) {
        files.push(await linkedFile(root, realRoot, rel));
      } else throw kindError(entry, rel);
      if (++statted % STAT_SLICE === 0) await yieldToLoop();
    }
  }
  return files;
}

/**
 * Stats a regular file synchronously: ten times cheaper than through the
 * thread pool, and {@link listFiles} yields every {@link STAT_SLICE} files.
 */
function regularFile(root: string, rel: string): ListedFile {
  const path = join(root, rel);
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (cause) {
    throw readFailed('read', rel, cause);
  }
  if (!stats.isFile()) {
    throw new DigestError(
      'DIGEST_NOT_A_FILE',
      `expected a regular file, found another kind of entry: ${rel}`,
    );
  }
  return { path: rel, open: path, size: stats.size, mtimeMs: stats.mtimeMs };
}

/** The system's error codes a user meets most, in words. */
const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many levels of links',
};

/** Why a path could not be read, in words, from the system's error. */
function because(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return '';
  return ` (${ERRNO_WORDS[code] ?? code})`;
}

function readFailed(what: string, rel: string, cause: unknown): DigestError {
  return new DigestError(
    'DIGEST_READ_FAILED',
    `cannot ${what} ${rel}${because(cause)}`,
    { cause },
  );
}

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A link is hashed as its target, only if that is a file inside the root. */
async function linkedFile(
  root: string,
  realRoot: string,
  rel: string,
): Promise<ListedFile> {
  const target = await realpathOrThrow(join(root, rel), rel);
  if (!isInside(realRoot, target)) {
    throw new DigestError(
      'DIGEST_SYMLINK_ESCAPE',
      `expected links to stay inside the model, found ${rel} pointing outside`,
    );
  }
  const stats = await statOrThrow(stat, target, rel);
  if (!stats.isFile()) {
    throw new DigestError(
      'DIGEST_SYMLINK',
      `expected a link to a regular file, found ${rel} linking to another kind of entry`,
    );
  }
  return { path: rel, open: target, size: stats.size, mtimeMs: stats.mtimeMs };
}

function isInside(realRoot: string, target: string): boolean {
  const rel = relative(realRoot, target);
  return !(rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel));
}

async function statOrThrow(
  how: (path: string) => Promise<Stats>,
  path: string,
  rel: string,
): Promise<Stats> {
  try {
    return await how(path);
  } catch (cause) {
    throw readFailed('read', rel, cause);
  }
}

async function realpathOrThrow(path: string, rel: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (cause) {
    throw readFailed('resolve', rel, cause);
  }
}

async function readEntries(
  root: string,
  dir: string,
): Promise<Dirent<Buffer>[]> {
  try {
    return await readdir(join(root, dir), {
      withFileTypes: true,
      encoding: 'buffer',
    });
  } catch (cause) {
    throw readFailed('list', dir || '.', cause);
  }
}

/** File names are bytes; a name that is not UTF-8 cannot be named safely. */
function decodeName(raw: Buffer, dir: string): string {
  let name: string;
  try {
    name = utf8.decode(raw);
  } catch (cause) {
    throw new DigestError(
      'DIGEST_BAD_PATH',
      `expected UTF-8 file names, found another encoding in ${dir || '.'}`,
      { cause },
    );
  }
  const reason = unsafePathReason(name);
  if (reason !== undefined || name.includes('/')) {
    throw new DigestError(
      'DIGEST_BAD_PATH',
      `file name ${JSON.stringify(name)} in ${dir || '.'} ${reason ?? 'is unsafe'}`,
    );
  }
  return name;
}

function kindError(entry: Dirent<Buffer>, rel: string): DigestError {
  if (entry.isSymbolicLink()) {
    return new DigestError(
      'DIGEST_SYMLINK',
      `expected regular files, found a symbolic link: ${rel} ` +
        '(allowSymlinks, --allow-symlinks in mprov, admits links to files ' +
        'inside the model)',
    );
  }
  return new DigestError(
    'DIGEST_NOT_A_FILE',
    `expected regular files, found a special file: ${rel}`,
  );
}

function rootKindError(root: string, stats: Stats): DigestError {
  if (stats.isSymbolicLink()) {
    return new DigestError(
      'DIGEST_SYMLINK',
      `expected a model directory or file, found a symbolic link: ${root}`,
    );
  }
  return new DigestError(
    'DIGEST_NOT_A_FILE',
    `expected a model directory or file, found a special file: ${root}`,
  );
}
