import { readFileSync } from 'node:fs';

import { VerifyError } from '../errors.js';
import { parseStrictJson } from '../json/strict.js';
import { loadTrustedRoot, type TrustedRootHandle } from './trusted-root.js';

/** Where the embedded public-good root comes from, for reports. */
export const PUBLIC_GOOD_ROOT_SOURCE =
  'embedded public-good root (@sigstore/tuf 5.0.1 seed)';

const ROOT_FILE = new URL(
  './roots/public-good.trusted_root.json',
  import.meta.url,
);

let cached: TrustedRootHandle | undefined;

/**
 * The Sigstore public-good trusted root embedded in this package (the seed
 * that `@sigstore/tuf` ships), loaded once and never fetched or refreshed.
 * It proves nothing about revocations after the package was built; results
 * name its digest.
 *
 * @throws VerifyError `VERIFY_TRUSTED_ROOT_INVALID` when the embedded file
 *   is missing from the installed package or does not load.
 * @example
 * ```ts
 * const result = await verifyBundle({ ..., trustedRoot: publicGoodRoot() });
 * ```
 */
export function publicGoodRoot(): TrustedRootHandle {
  if (cached) return cached;
  let text: string;
  try {
    text = readFileSync(ROOT_FILE, 'utf8');
  } catch (cause) {
    throw new VerifyError(
      'VERIFY_TRUSTED_ROOT_INVALID',
      'expected the embedded public-good root in the package, found none',
      { cause },
    );
  }
  cached = loadTrustedRoot(parseStrictJson(text));
  return cached;
}
