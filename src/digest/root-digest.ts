/**
 * The root digest of the OpenSSF Model Signing format, in one place for
 * Node and the browser core: without Node built-ins, so that both compute
 * it with the same code and their verdicts cannot split.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

import { createPortableHash } from '../crypto/hash.js';
import { DigestError } from '../errors.js';

const HEX_BYTES = /^(?:[0-9a-f]{2})+$/;

/**
 * SHA-256 over the concatenated raw bytes of hex digests, as the OpenSSF
 * Model Signing format computes its subject digest (for any hash).
 *
 * @param digests - Lower-case hex digests, in manifest order.
 * @returns The lower-case hex root digest.
 * @throws {@link DigestError} `DIGEST_MALFORMED` for a digest that is not
 *   lower-case hex of whole bytes.
 * @example
 * ```ts
 * combineDigests([fileA.sha256, fileB.sha256]); // 64 hex characters
 * ```
 */
export function combineDigests(digests: readonly string[]): string {
  const hash = createPortableHash('sha256');
  for (const [i, hex] of digests.entries()) {
    if (typeof hex !== 'string' || !HEX_BYTES.test(hex)) {
      throw new DigestError(
        'DIGEST_MALFORMED',
        `expected lower-case hex digest bytes at entry ${i}`,
      );
    }
    hash.update(hexToBytes(hex));
  }
  return bytesToHex(hash.digest());
}
