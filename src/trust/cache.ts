import { existsSync } from 'node:fs';
import { lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { TrustError } from '../errors.js';

/**
 * The TUF repository of the Sigstore public-good instance. The library
 * never picks it on its own: a caller passes it, and `mprov trust update`
 * uses it only when the user runs that command without `--tuf-mirror`.
 */
export const PUBLIC_GOOD_TUF_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';

/** Where one mirror's metadata and targets are kept. */
export interface MirrorCache {
  /** The folder of the TUF metadata (`root.json`, `timestamp.json`, ...). */
  readonly dir: string;
  /** The folder of the downloaded targets. */
  readonly targetsDir: string;
  /** `true` when this run wrote the initial `root.json`. */
  readonly seeded: boolean;
}

/** What the last successful refresh of a mirror recorded. */
export interface RefreshRecord {
  readonly fetchedAt: string;
}

const RECORD = 'mprov-refresh.json';

/** The files a refresh reads back from the cache (the target by name). */
const CACHED = [
  'root.json',
  'timestamp.json',
  'snapshot.json',
  'targets.json',
  RECORD,
  join('targets', 'trusted_root.json'),
];

/** Above tuf-js's largest role limit (targets, 5 MB): no cached file. */
const MAX_CACHED_BYTES = 6 * 1024 * 1024;

function cacheError(message: string, cause: unknown): TrustError {
  return new TrustError('TRUST_CACHE_FAILED', message, { cause });
}

/** One folder per mirror, named after its host and path, as sigstore-js. */
export function mirrorCacheDir(cachePath: string, mirror: string): string {
  const url = new URL(mirror);
  const path = url.pathname.replace(/\/+$/, '');
  return join(cachePath, encodeURIComponent(url.host + path));
}

/** The `root.json` that `@sigstore/tuf` ships for the public-good mirror. */
function seedRoot(): Buffer {
  const require = createRequire(import.meta.url);
  const seeds = require('@sigstore/tuf/seeds.json') as Record<
    string,
    { 'root.json': string }
  >;
  const seed = seeds[PUBLIC_GOOD_TUF_MIRROR];
  if (!seed) {
    throw new TrustError(
      'TRUST_INITIAL_ROOT_MISSING',
      'expected a public-good root.json in @sigstore/tuf, found none',
    );
  }
  return Buffer.from(seed['root.json'], 'base64');
}

async function initialRoot(mirror: string, rootPath?: string) {
  if (rootPath !== undefined) {
    try {
      return await readFile(rootPath);
    } catch (cause) {
      throw new TrustError(
        'TRUST_INITIAL_ROOT_INVALID',
        `cannot read the initial TUF root ${rootPath}`,
        { cause },
      );
    }
  }
  if (mirror === PUBLIC_GOOD_TUF_MIRROR) return seedRoot();
  throw new TrustError(
    'TRUST_INITIAL_ROOT_MISSING',
    `tuf mirror ${mirror}: expected an initial root.json (rootPath) for a mirror other than the public-good one, and none is cached`,
  );
}

/**
 * Makes the cache folder of a mirror and puts the initial `root.json` in
 * it, unless a root is cached already: a cached root was reached by
 * verified rotations and is newer, so it wins over the one given. `force`
 * forgets everything cached for the mirror first.
 *
 * @throws TrustError `TRUST_CACHE_FAILED`, `TRUST_INITIAL_ROOT_MISSING`,
 *   `TRUST_INITIAL_ROOT_INVALID` (the given file cannot be read).
 */
export async function prepareCache(opts: {
  cachePath: string;
  mirror: string;
  rootPath?: string;
  force?: boolean;
}): Promise<MirrorCache> {
  const dir = mirrorCacheDir(opts.cachePath, opts.mirror);
  const targetsDir = join(dir, 'targets');
  const rootFile = join(dir, 'root.json');
  try {
    if (opts.force) await rm(dir, { recursive: true, force: true });
    await checkEntry(dir, true);
    await mkdir(targetsDir, { recursive: true });
  } catch (cause) {
    if (cause instanceof TrustError) throw cause;
    throw cacheError(`cannot create the TUF cache ${dir}`, cause);
  }
  await checkEntry(targetsDir, true);
  for (const name of CACHED) await checkEntry(join(dir, name), false);
  if (existsSync(rootFile)) return { dir, targetsDir, seeded: false };

  const root = await initialRoot(opts.mirror, opts.rootPath);
  try {
    await writeFile(rootFile, root);
  } catch (cause) {
    throw cacheError(`cannot write ${rootFile}`, cause);
  }
  return { dir, targetsDir, seeded: true };
}

/**
 * Refuses a cached entry that is a symbolic link, a device or a file larger
 * than any TUF role: tuf-js reads them whole and writes the target through
 * them, so a link planted in the cache would be read (a device: forever)
 * or overwritten. An absent entry is fine.
 */
async function checkEntry(path: string, folder: boolean): Promise<void> {
  const stat = await lstat(path).catch(() => undefined);
  if (stat === undefined) return;
  const sound = folder
    ? stat.isDirectory()
    : stat.isFile() && stat.size <= MAX_CACHED_BYTES;
  if (sound) return;
  const expected = folder
    ? 'a folder'
    : `a regular file of at most ${MAX_CACHED_BYTES} bytes`;
  throw new TrustError(
    'TRUST_CACHE_FAILED',
    `TUF cache ${path}: expected ${expected}, found a link, device or larger file`,
  );
}

/** Removes an initial root that did not load, so that it is not reused. */
export async function unseed(cache: MirrorCache): Promise<void> {
  if (cache.seeded) await rm(join(cache.dir, 'root.json'), { force: true });
}

/** The version of the TUF root now trusted for this mirror. */
export async function cachedRootVersion(cache: MirrorCache): Promise<number> {
  const text = await readFile(join(cache.dir, 'root.json'), 'utf8');
  const json = JSON.parse(text) as { signed?: { version?: unknown } };
  const version = json.signed?.version;
  return typeof version === 'number' ? version : 0;
}

/** Notes when the mirror was last refreshed. */
export async function writeRecord(cache: MirrorCache, at: Date) {
  const record: RefreshRecord = { fetchedAt: at.toISOString() };
  try {
    await writeFile(join(cache.dir, RECORD), JSON.stringify(record) + '\n');
  } catch (cause) {
    throw cacheError(`cannot write the refresh record in ${cache.dir}`, cause);
  }
}

/** When the mirror was last refreshed, or `undefined` if not known. */
export async function readRecord(
  cache: MirrorCache,
): Promise<Date | undefined> {
  try {
    const text = await readFile(join(cache.dir, RECORD), 'utf8');
    const { fetchedAt } = JSON.parse(text) as Partial<RefreshRecord>;
    const at = new Date(String(fetchedAt));
    return Number.isNaN(at.getTime()) ? undefined : at;
  } catch {
    return undefined;
  }
}
