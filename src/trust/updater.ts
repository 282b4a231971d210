import { join } from 'node:path';

import { Updater } from 'tuf-js';

import { TrustError } from '../errors.js';
import { unseed, type MirrorCache } from './cache.js';
import type { MirrorFetcher } from './fetcher.js';

function makeUpdater(
  cache: MirrorCache,
  mirror: string,
  fetcher: MirrorFetcher,
  offline: boolean,
) {
  return new Updater({
    metadataBaseUrl: mirror,
    targetBaseUrl: `${mirror}/targets`,
    metadataDir: cache.dir,
    targetDir: cache.targetsDir,
    fetcher,
    forceCache: offline,
  });
}

/**
 * Builds the updater on the cached root, which must be a signed TUF root.
 * An initial root that does not load is removed again; a cached one that
 * does not load is reported as a damaged cache.
 *
 * @throws TrustError `TRUST_INITIAL_ROOT_INVALID`, `TRUST_CACHE_FAILED`.
 */
export async function openUpdater(
  cache: MirrorCache,
  mirror: string,
  fetcher: MirrorFetcher,
  offline = false,
): Promise<Updater> {
  try {
    return makeUpdater(cache, mirror, fetcher, offline);
  } catch (cause) {
    if (!cache.seeded) throw damagedCache(cache, cause);
    await unseed(cache);
    throw new TrustError(
      'TRUST_INITIAL_ROOT_INVALID',
      `tuf mirror ${mirror}: the initial root.json is not a TUF root signed by its own keys`,
      { cause },
    );
  }
}

/** A cached root that no longer loads: damaged, or written by someone else. */
function damagedCache(cache: MirrorCache, cause: unknown): TrustError {
  const file = join(cache.dir, 'root.json');
  return new TrustError(
    'TRUST_CACHE_FAILED',
    `TUF cache ${file}: expected a TUF root signed by its own keys, found a damaged or foreign file; use --force (force: true) to start again from the initial root`,
    { cause },
  );
}
