import { TrustError } from '../errors.js';
import { DEFAULT_LOCK_WAIT_MS } from './lock.js';
import { checkMirror } from './mirror.js';

/** The default timeout of each request to a mirror, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The refresh options once checked, with the mirror normalized. */
export interface CheckedOptions {
  readonly mirror: string;
  readonly cachePath: string;
  readonly rootPath?: string;
  readonly force: boolean;
  readonly offlineOk: boolean;
  readonly timeoutMs: number;
  readonly lockWaitMs: number;
}

function invalid(message: string): TrustError {
  return new TrustError('TRUST_OPTIONS_INVALID', message);
}

function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : typeof value;
}

function checkPath(name: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') {
    throw invalid(`${name}: expected a path, found ${describeValue(value)}`);
  }
}

function checkFlag(name: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') {
    throw invalid(`${name}: expected a boolean, found ${describeValue(value)}`);
  }
  return value === true;
}

/**
 * Checks the options of a refresh before anything is read or asked. A
 * timeout of zero, below zero or not finite would make every request fail
 * as if the mirror were down, and with `offlineOk` silently use the cache.
 *
 * @throws TrustError `TRUST_OPTIONS_INVALID`; the mirror URL is never
 *   repeated, as it may hold a secret.
 */
export function checkRefreshOptions(opts: {
  mirrorUrl: unknown;
  cachePath: unknown;
  rootPath?: unknown;
  force?: unknown;
  offlineOk?: unknown;
  timeoutMs?: unknown;
  lockWaitMs?: unknown;
}): CheckedOptions {
  const mirror = checkMirror(opts.mirrorUrl);
  checkPath('cachePath', opts.cachePath);
  if (opts.rootPath !== undefined) checkPath('rootPath', opts.rootPath);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isFinite(timeoutMs) ||
    timeoutMs <= 0
  ) {
    throw invalid(
      `timeoutMs: expected a finite number of milliseconds above 0, found ${describeValue(timeoutMs)}`,
    );
  }
  const lockWaitMs = opts.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
  if (
    typeof lockWaitMs !== 'number' ||
    !Number.isFinite(lockWaitMs) ||
    lockWaitMs < 0
  ) {
    throw invalid(
      `lockWaitMs: expected a finite number of milliseconds, 0 or more, found ${describeValue(lockWaitMs)}`,
    );
  }
  return {
    mirror,
    lockWaitMs,
    cachePath: opts.cachePath as string,
    ...(opts.rootPath !== undefined && { rootPath: opts.rootPath as string }),
    force: checkFlag('force', opts.force),
    offlineOk: checkFlag('offlineOk', opts.offlineOk),
    timeoutMs,
  };
}
