import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { DigestError } from '../errors.js';
import { unsafePathReason } from './posix-path.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Lists the regular files under `root` as relative POSIX paths, skipping
 * ignored paths. Refuses links and special files instead of skipping them,
 * so that nothing in the bundle escapes the manifest unnoticed.
 *
 * @param root - The model directory.
 * @param ignored - Relative POSIX paths: an exact file or a directory prefix.
 * @returns The relative paths, unsorted.
 * @throws {@link DigestError} `DIGEST_SYMLINK`, `DIGEST_NOT_A_FILE`,
 *   `DIGEST_BAD_PATH` or `DIGEST_READ_FAILED`.
 */
export async function listFiles(
  root: string,
  ignored: ReadonlySet<string>,
): Promise<string[]> {
  const files: string[] = [];
  const pending: string[] = [''];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const entry of await readEntries(root, dir)) {
      const rel =
        dir === ''
          ? decodeName(entry.name, dir)
          : dir + '/' + decodeName(entry.name, dir);
      if (isIgnored(rel, ignored)) continue;
      if (entry.isDirectory()) pending.push(rel);
      else if (entry.isFile()) files.push(rel);
      else throw kindError(entry, rel);
    }
  }
  return files;
}

/**
 * Tells whether `rel` equals an ignored path or lies under one.
 *
 * @param rel - A relative POSIX path.
 * @param ignored - The ignored paths.
 * @returns `true` when the path is to be skipped.
 */
export function isIgnored(rel: string, ignored: ReadonlySet<string>): boolean {
  for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) {
    if (ignored.has(rel.slice(0, i))) return true;
  }
  return ignored.has(rel);
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
    throw new DigestError('DIGEST_READ_FAILED', `cannot list ${dir || '.'}`, {
      cause,
    });
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
      `expected regular files, found a symbolic link: ${rel}`,
    );
  }
  return new DigestError(
    'DIGEST_NOT_A_FILE',
    `expected regular files, found a special file: ${rel}`,
  );
}
