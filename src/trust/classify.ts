import {
  LengthOrHashMismatchError,
  UnsignedMetadataError,
} from '@tufjs/models/dist/error.js';
import {
  BadVersionError,
  DownloadLengthMismatchError,
  ExpiredMetadataError,
  RuntimeError,
} from 'tuf-js/dist/error.js';

import { TrustError, type TrustErrorCode } from '../errors.js';
import type { FetchFailure } from './fetcher.js';

/** Which part of a refresh failed: it decides what a hash mismatch means. */
export type RefreshPhase = 'metadata' | 'target';

/** Codes that mean the mirror did not answer as asked, not an attack. */
export const NETWORK_CODES: ReadonlySet<TrustErrorCode> = new Set([
  'TRUST_MIRROR_UNREACHABLE',
  'TRUST_DOWNLOAD_FAILED',
]);

// tuf-js wraps snapshot and targets failures in a RuntimeError whose message
// holds the inner error's text: these patterns read it back. A test per code
// pins them, so a tuf-js upgrade that rewords them fails there first.
const WRAPPED: readonly (readonly [RegExp, TrustErrorCode])[] = [
  [
    /signed by \d+\/\d+ keys|failed to verify|no signature/,
    'TRUST_METADATA_UNSIGNED',
  ],
  [/is expired/, 'TRUST_METADATA_EXPIRED'],
  [/less than|does not match|doesn't match/, 'TRUST_METADATA_ROLLBACK'],
];

function fromFailure(failure: FetchFailure): TrustErrorCode {
  return failure.kind === 'http'
    ? 'TRUST_DOWNLOAD_FAILED'
    : 'TRUST_MIRROR_UNREACHABLE';
}

function codeOf(
  error: unknown,
  phase: RefreshPhase,
  failure: FetchFailure | undefined,
): TrustErrorCode {
  if (error instanceof TrustError) return error.code;
  if (error instanceof ExpiredMetadataError) return 'TRUST_METADATA_EXPIRED';
  if (error instanceof BadVersionError) return 'TRUST_METADATA_ROLLBACK';
  if (error instanceof UnsignedMetadataError) return 'TRUST_METADATA_UNSIGNED';
  const mismatch =
    error instanceof LengthOrHashMismatchError ||
    error instanceof DownloadLengthMismatchError;
  if (mismatch && phase === 'target') return 'TRUST_TARGET_MISMATCH';
  // A wrapped error names the last request's failure, if it had one.
  if (failure) return fromFailure(failure);
  if (error instanceof RuntimeError) {
    const hit = WRAPPED.find(([re]) => re.test(error.message));
    if (hit) return hit[1];
  }
  return 'TRUST_METADATA_INVALID';
}

function describe(code: TrustErrorCode, failure?: FetchFailure): string {
  const what = failure?.file ?? 'metadata';
  switch (code) {
    case 'TRUST_MIRROR_UNREACHABLE':
      return `no answer for ${what}`;
    case 'TRUST_DOWNLOAD_FAILED':
      return `HTTP ${failure?.status ?? '?'} for ${what}`;
    case 'TRUST_METADATA_UNSIGNED':
      return 'metadata not signed by the threshold of trusted keys';
    case 'TRUST_METADATA_EXPIRED':
      return 'metadata has expired';
    case 'TRUST_METADATA_ROLLBACK':
      return 'metadata version is older than the trusted one';
    case 'TRUST_TARGET_MISMATCH':
      return 'trusted_root.json does not match the length and hash signed for it';
    default:
      return 'metadata is malformed or inconsistent';
  }
}

/** tuf-js's own words, without the prefixes of its wrapping errors. */
function detailOf(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.message === 'download failed') {
    return undefined;
  }
  const inner = error.message.split(/\bError: /).pop() ?? '';
  return inner.length > 0 && inner.length <= 200 ? inner : undefined;
}

/**
 * Turns what tuf-js threw into a {@link TrustError} with a stable code and
 * the mirror in its message; the original error is kept as its `cause`.
 *
 * @param error - what a step of the refresh threw.
 * @param mirror - the mirror URL, without credentials.
 * @param phase - the step that threw.
 * @param failure - the fetcher's record of the last request.
 */
export function toTrustError(
  error: unknown,
  mirror: string,
  phase: RefreshPhase,
  failure: FetchFailure | undefined,
): TrustError {
  if (error instanceof TrustError) return error;
  const code = codeOf(error, phase, failure);
  const reason = describe(code, failure);
  const detail = detailOf(error);
  const text = detail ? `${reason} (${detail})` : reason;
  return new TrustError(code, `tuf mirror ${mirror}: ${text}`, {
    cause: error,
  });
}
