import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { readFileBounded } from '../io/bounded-read.js';
import { parseStrictJsonBytes } from '../json/strict.js';

/** The files an export writes at its top, by name. */
const TOP_FILES = new Set([
  'provenance.json',
  'policy.json',
  'trusted_root.json',
]);

/** The folders an export writes, by what their files are named. */
const FOLDERS = new Map([
  ['bundles', /^[0-9a-f]{64}\.sigstore\.json$/],
  ['manifests', /^sha256-[0-9a-f]{64}\.json$/],
]);

/** How an export's index is found and told from another file of its name. */
export interface IndexRef {
  /** The index's file name at the export's top. */
  file: string;
  /** The format URI the index must name. */
  format: string;
}

/**
 * True when a folder holds an earlier export and nothing else: its index
 * names `format`, each top entry is a file or folder an export writes, and
 * its folders hold only files named as an export names them, no links.
 * Replacing it removes all of this, so nothing of the user's may pass. A
 * folder that cannot be read is not one.
 *
 * @param dir - the folder.
 * @param index - the index's file name and the format it must name.
 */
export async function isEarlierExport(
  dir: string,
  index: IndexRef,
): Promise<boolean> {
  const names = await readdir(dir).catch(() => undefined);
  if (names === undefined) return false;
  for (const name of names) {
    if (!(await isExportEntry(dir, name))) return false;
  }
  const read = await readFileBounded(join(dir, index.file), 1024 * 1024);
  if (!read.ok) return false;
  try {
    const json = parseStrictJsonBytes(read.bytes) as { format?: unknown };
    return json.format === index.format;
  } catch {
    return false;
  }
}

async function isExportEntry(dir: string, name: string): Promise<boolean> {
  const path = join(dir, name);
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined) return false;
  if (TOP_FILES.has(name)) return info.isFile();

  const pattern = FOLDERS.get(name);
  if (pattern === undefined || !info.isDirectory()) return false;
  // Dirents are lstat's: a link is neither a file nor a folder here.
  const children = await readdir(path, { withFileTypes: true }).catch(
    () => undefined,
  );
  return (
    children !== undefined &&
    children.every((c) => c.isFile() && pattern.test(c.name))
  );
}
