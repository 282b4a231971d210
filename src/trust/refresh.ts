import { mkdir, readFile } from 'node:fs/promises';

import type { Updater } from 'tuf-js';

import { TrustError } from '../errors.js';
import { parseStrictJson } from '../json/strict.js';
import {
  loadTrustedRoot,
  type TrustedRootHandle,
} from '../verify/trusted-root.js';
import {
  cachedRootVersion,
  mirrorCacheDir,
  prepareCache,
  readRecord,
  writeRecord,
  type MirrorCache,
} from './cache.js';
import { NETWORK_CODES, toTrustError, type RefreshPhase } from './classify.js';
import { MirrorFetcher } from './fetcher.js';
import { withLock } from './lock.js';
import { checkRefreshOptions, type CheckedOptions } from './options.js';
import { openUpdater } from './updater.js';

/** The TUF target that holds the Sigstore trusted root. */
export const TRUSTED_ROOT_TARGET = 'trusted_root.json';

/** A trusted root is a few kilobytes; a larger target is refused unread. */
const MAX_TARGET_BYTES = 4 * 1024 * 1024;

/** Options of {@link refreshTrustedRoot}. */
export interface RefreshOptions {
  /** The TUF repository, `http(s)://host[/path]`; never a default. */
  mirrorUrl: string;
  /** The cache folder; each mirror gets its own folder inside it. */
  cachePath: string;
  /**
   * The initial TUF `root.json` for a private mirror. Not needed for the
   * public-good mirror (the seed of `@sigstore/tuf` is used) nor once a
   * root is cached for the mirror. Given for a cached mirror, it must be
   * byte for byte the root the cache started from or holds now; another
   * root is refused (`TRUST_OPTIONS_INVALID`) unless
   * {@link RefreshOptions.force}.
   */
  rootPath?: string;
  /** Forget what is cached for the mirror and start from the initial root. */
  force?: boolean;
  /**
   * When the mirror cannot be reached (`TRUST_MIRROR_UNREACHABLE`,
   * `TRUST_DOWNLOAD_FAILED`), use the cached copy, but only if its cached
   * TUF metadata still verifies and has not expired. Never used for a
   * failure that points at tampering (signature, rollback, hash, expiry).
   */
  offlineOk?: boolean;
  /** Timeout of each request in milliseconds; default 10 000. */
  timeoutMs?: number;
  /**
   * How long to wait, in milliseconds, while another refresh of the same
   * mirror and cache folder runs (default 60 000): refreshes of one cache
   * take turns, as its TUF metadata is written in place. Then
   * `TRUST_CACHE_LOCKED`.
   */
  lockWaitMs?: number;
}

/** A trusted root obtained through TUF, and where it came from. */
export interface RefreshedTrustedRoot {
  /** The root, for `verifyBundle`, `verifyChain` and the other verifiers. */
  readonly root: TrustedRootHandle;
  /** For reports: `tuf:<mirror> (root v<N>, fetched at <time>)`. */
  readonly source: string;
  /** The mirror, normalized. */
  readonly mirror: string;
  /** The version of the TUF root that signed the chain of metadata. */
  readonly tufRootVersion: number;
  /** When the metadata was last refreshed from the mirror. */
  readonly fetchedAt: Date;
  /** The cached `trusted_root.json`, to copy to offline sites. */
  readonly path: string;
  /** Set when the mirror failed and the cached copy was used instead. */
  readonly refreshFailure?: TrustError;
}

/** Runs the TUF client workflow and returns the verified target's path. */
async function fetchTarget(
  updater: Updater,
  mirror: string,
  fetcher: MirrorFetcher,
  cachedOnly: boolean,
): Promise<string> {
  let phase: RefreshPhase = 'metadata';
  try {
    await updater.refresh();
    const info = await updater.getTargetInfo(TRUSTED_ROOT_TARGET);
    if (!info) {
      throw new TrustError(
        'TRUST_TARGET_MISSING',
        `tuf mirror ${mirror}: the targets metadata lists no ${TRUSTED_ROOT_TARGET}`,
      );
    }
    if (info.length > MAX_TARGET_BYTES) {
      throw new TrustError(
        'TRUST_TARGET_INVALID',
        `tuf mirror ${mirror}: ${TRUSTED_ROOT_TARGET} is ${info.length} bytes, expected at most ${MAX_TARGET_BYTES}`,
      );
    }
    phase = 'target';
    const cached = await updater.findCachedTarget(info);
    if (cached !== undefined) return cached;
    if (cachedOnly) {
      throw new TrustError(
        'TRUST_TARGET_MISSING',
        `tuf mirror ${mirror}: no verified cached ${TRUSTED_ROOT_TARGET}`,
      );
    }
    return await updater.downloadTarget(info);
  } catch (error) {
    throw toTrustError(error, mirror, phase, fetcher.lastFailure);
  }
}

/** Loads the verified target as a Sigstore trusted root. */
async function loadTarget(
  path: string,
  mirror: string,
): Promise<TrustedRootHandle> {
  try {
    return loadTrustedRoot(parseStrictJson(await readFile(path, 'utf8')));
  } catch (cause) {
    throw new TrustError(
      'TRUST_TARGET_INVALID',
      `tuf mirror ${mirror}: ${TRUSTED_ROOT_TARGET} is not a Sigstore trusted root`,
      { cause },
    );
  }
}

async function result(
  cache: MirrorCache,
  mirror: string,
  path: string,
  fetchedAt: Date,
  failure?: TrustError,
): Promise<RefreshedTrustedRoot> {
  const root = await loadTarget(path, mirror);
  const tufRootVersion = await cachedRootVersion(cache);
  const when = `root v${tufRootVersion}, fetched at ${fetchedAt.toISOString()}`;
  const source = failure
    ? `tuf-cache:${mirror} (${when}; refresh failed: ${failure.code})`
    : `tuf:${mirror} (${when})`;
  return {
    root,
    source,
    mirror,
    tufRootVersion,
    fetchedAt,
    path,
    ...(failure && { refreshFailure: failure }),
  };
}

/** The cached copy, verified against cached metadata with no request. */
async function fromCache(
  cache: MirrorCache,
  mirror: string,
  failure: TrustError,
) {
  // A fetcher with no network: forceCache falls back to the mirror when the
  // cached timestamp does not verify or has expired, and must fail there.
  const offline = new MirrorFetcher(mirror, 0);
  offline.fetch = () => Promise.reject(failure);
  try {
    const updater = await openUpdater(cache, mirror, offline, true);
    const path = await fetchTarget(updater, mirror, offline, true);
    const fetchedAt = (await readRecord(cache)) ?? new Date(0);
    return await result(cache, mirror, path, fetchedAt, failure);
  } catch (error) {
    const code = error instanceof TrustError ? error.code : 'unknown';
    // Both count: why the mirror failed, and why the cache could not stand in.
    const cause = new AggregateError(
      [failure, error],
      'the refresh failed and the cached copy is not usable',
    );
    throw new TrustError(
      failure.code,
      `${failure.message}; no usable cached copy (${code})`,
      { cause },
    );
  }
}

/**
 * Fetches `trusted_root.json` through TUF from `mirrorUrl` into
 * `cachePath`, verifying the chain of TUF metadata from the initial root
 * (the `@sigstore/tuf` seed for the public-good mirror, or `rootPath`),
 * and loads it as a trusted root. This is the only function of the library
 * that uses the network, and only towards `mirrorUrl`.
 *
 * @throws TrustError with a code that says what failed; the message names
 *   the mirror. `TRUST_OPTIONS_INVALID` for options of the wrong type, a
 *   timeout that is not a positive finite number, or a `rootPath` other
 *   than the root a cached mirror started from (unless `force`);
 *   `TRUST_CACHE_LOCKED` when another refresh of the mirror in the same
 *   cache folder still runs after `lockWaitMs`. See
 *   {@link RefreshOptions.offlineOk} for the cached copy.
 * @example
 * ```ts
 * const { root, source } = await refreshTrustedRoot({
 *   mirrorUrl: PUBLIC_GOOD_TUF_MIRROR,
 *   cachePath: '/var/cache/mprov/tuf',
 * });
 * const result = await verifyBundle({ ..., trustedRoot: root });
 * ```
 */
export async function refreshTrustedRoot(
  opts: RefreshOptions,
): Promise<RefreshedTrustedRoot> {
  const checked = checkRefreshOptions(opts);
  // '@' is never in a mirror's folder name (encodeURIComponent escapes it).
  const lockPath = `${mirrorCacheDir(checked.cachePath, checked.mirror)}@lock`;
  try {
    await mkdir(checked.cachePath, { recursive: true });
  } catch (cause) {
    throw new TrustError(
      'TRUST_CACHE_FAILED',
      `cannot create the TUF cache ${checked.cachePath}`,
      { cause },
    );
  }
  return withLock(lockPath, { waitMs: checked.lockWaitMs }, () =>
    refreshLocked(checked),
  );
}

async function refreshLocked(
  checked: CheckedOptions,
): Promise<RefreshedTrustedRoot> {
  const { mirror } = checked;
  const cache = await prepareCache(checked);
  const fetcher = new MirrorFetcher(mirror, checked.timeoutMs);
  const updater = await openUpdater(cache, mirror, fetcher);
  try {
    const path = await fetchTarget(updater, mirror, fetcher, false);
    const fetchedAt = new Date();
    await writeRecord(cache, fetchedAt);
    return await result(cache, mirror, path, fetchedAt);
  } catch (error) {
    const failure = toTrustError(error, mirror, 'metadata', undefined);
    if (!checked.offlineOk || !NETWORK_CODES.has(failure.code)) throw failure;
    return fromCache(cache, mirror, failure);
  }
}
