import { DigestError } from '../errors.js';

/** Hash functions of the OpenSSF Model Signing format that this supports. */
export type HashAlgorithm = 'sha256' | 'blake2b';

/** The `node:crypto` name of each algorithm. */
const NODE_NAMES: Record<HashAlgorithm, string> = {
  sha256: 'sha256',
  // Unkeyed BLAKE2b with a 64-byte digest, as Python's hashlib.blake2b().
  blake2b: 'blake2b512',
};

/**
 * Checks an algorithm name given by a caller.
 *
 * @param name - The candidate name.
 * @returns The name, typed.
 * @throws {@link DigestError} `DIGEST_BAD_OPTIONS` for another name.
 */
export function hashAlgorithm(name: string): HashAlgorithm {
  if (name === 'sha256' || name === 'blake2b') return name;
  throw new DigestError(
    'DIGEST_BAD_OPTIONS',
    `expected hash sha256 or blake2b, found ${JSON.stringify(name)}`,
  );
}

/** The `node:crypto` name of an algorithm. */
export function nodeHashName(algorithm: HashAlgorithm): string {
  return NODE_NAMES[algorithm];
}
