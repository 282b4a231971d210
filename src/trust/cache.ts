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

/** A copy of the root this cache started from, to compare a later rootPath. */
const ANCHOR = 'mprov-initial-root.json';

/** The files a refresh reads back from the cache (the target by name). */
const CACHED = [
  'root.json',
  'timestamp.json',
  'snapshot.json',
  'targets.json',
  RECORD,
  ANCHOR,
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

async function readGivenRoot(rootPath: string): Promise<Buffer> {
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

async function initialRoot(mirror: string, rootPath?: string) {
  if (rootPath !== undefined) return readGivenRoot(rootPath);
  if (mirror === PUBLIC_GOOD_TUF_MIRROR) return seedRoot();
  throw new TrustError(
    'TRUST_INITIAL_ROOT_MISSING',
    `tuf mirror ${mirror}: expected an initial root.json (rootPath; --tuf-root in mprov) for a mirror other than the public-good one, and none is cached`,
  );
}

/**
 * Makes the cache folder of a mirror and puts the initial `root.json` in
 * it (and a copy as the cache's anchor), unless a root is cached already:
 * a cached root was reached by verified rotations and is newer, so it is
 * kept. A `rootPath` given then must be byte for byte the root the cache
 * started from or the one it holds now; another root (an operator
 * re-anchoring after a key compromise) is refused rather than ignored,
 * unless `force`, which forgets everything cached for the mirror first.
 *
 * @throws TrustError `TRUST_CACHE_FAILED`, `TRUST_INITIAL_ROOT_MISSING`,
 *   `TRUST_INITIAL_ROOT_INVALID` (the given file cannot be read),
 *   `TRUST_OPTIONS_INVALID` (another root given for a cached mirror).
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
  if (existsSync(rootFile)) {
    if (opts.rootPath !== undefined) await checkAnchor(dir, opts.rootPath);
    return { dir, targetsDir, seeded: false };
  }

  const root = await initialRoot(opts.mirror, opts.rootPath);
  try {
    await writeFile(rootFile, root);
    await writeFile(join(dir, ANCHOR), root);
  } catch (cause) {
    throw cacheError(`cannot write ${rootFile}`, cause);
  }
  return { dir, targetsDir, seeded: true };
}

/**
 * Compares the given root with the cache's anchor and current root, byte
 * for byte: a TUF root is signed as it is written, so identical bytes are
 * the same root, and nothing hostile has to be parsed to tell. A copy that
 * was only re-formatted is refused too; `force` is the way out then.
 */
async function checkAnchor(dir: string, rootPath: string): Promise<void> {
  const given = await readGivenRoot(rootPath);
  for (const name of [ANCHOR, 'root.json']) {
    const cached = await readFile(join(dir, name)).catch(() => undefined);
    if (cached !== undefined && cached.equals(given)) return;
  }
  throw new TrustError(
    'TRUST_OPTIONS_INVALID',
    `initial TUF root ${rootPath}: expected the root that the cache ${dir} started from or holds, found another one; use --force (force: true) to forget the cache and start from it`,
  );
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
  if (!cache.seeded) return;
  await rm(join(cache.dir, 'root.json'), { force: true });
  await rm(join(cache.dir, ANCHOR), { force: true });
}

/**
 * The version of the TUF root now trusted for this mirror.
 *
 * @throws TrustError `TRUST_CACHE_FAILED` naming the file, when the cached
 *   `root.json` cannot be read or is not JSON.
 */
export async function cachedRootVersion(cache: MirrorCache): Promise<number> {
  const file = join(cache.dir, 'root.json');
  let json: { signed?: { version?: unknown } } | null;
  try {
    json = JSON.parse(await readFile(file, 'utf8')) as typeof json;
  } catch (cause) {
    throw cacheError(
      `TUF cache ${file}: expected the JSON of a TUF root, found a file that cannot be read or parsed`,
      cause,
    );
  }
  const version = json?.signed?.version;
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
