import { readFile } from 'node:fs/promises';

import { Updater } from 'tuf-js';

import { TrustError } from '../errors.js';
import { parseStrictJson } from '../json/strict.js';
import {
  loadTrustedRoot,
  type TrustedRootHandle,
} from '../verify/trusted-root.js';
import {
  cachedRootVersion,
  prepareCache,
  readRecord,
  unseed,
  writeRecord,
  type MirrorCache,
} from './cache.js';
import { NETWORK_CODES, toTrustError, type RefreshPhase } from './classify.js';
import { MirrorFetcher } from './fetcher.js';
import { checkMirror } from './mirror.js';

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
   * root is cached for the mirror.
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

/** Builds the updater on the cached root, which must be a signed TUF root. */
async function openUpdater(
  cache: MirrorCache,
  mirror: string,
  fetcher: MirrorFetcher,
  offline = false,
): Promise<Updater> {
  try {
    return makeUpdater(cache, mirror, fetcher, offline);
  } catch (cause) {
    await unseed(cache);
    throw new TrustError(
      'TRUST_INITIAL_ROOT_INVALID',
      `tuf mirror ${mirror}: the initial root.json is not a TUF root signed by its own keys`,
      { cause },
    );
  }
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
    throw new TrustError(
      failure.code,
      `${failure.message}; no usable cached copy (${code})`,
      { cause: failure },
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
 *   the mirror. See {@link RefreshOptions.offlineOk} for the cached copy.
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
  const mirror = checkMirror(opts.mirrorUrl);
  const cache = await prepareCache({ ...opts, mirror });
  const fetcher = new MirrorFetcher(mirror, opts.timeoutMs ?? 10_000);
  const updater = await openUpdater(cache, mirror, fetcher);
  try {
    const path = await fetchTarget(updater, mirror, fetcher, false);
    const fetchedAt = new Date();
    await writeRecord(cache, fetchedAt);
    return await result(cache, mirror, path, fetchedAt);
  } catch (error) {
    const failure = toTrustError(error, mirror, 'metadata', undefined);
    if (!opts.offlineOk || !NETWORK_CODES.has(failure.code)) throw failure;
    return fromCache(cache, mirror, failure);
  }
}
