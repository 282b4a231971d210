import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';

import { createPortableHash, portableHashName } from './hash.js';
import type { PortableKey } from './public-key.js';

const ECDSA = { 'P-256': p256, 'P-384': p384 } as const;

/**
 * Checks a signature as OpenSSL does for the same key, so that a chain
 * verified in a browser gets the verdict it gets under Node:
 * - ECDSA: a DER signature over the data hashed with `hash`; without a
 *   hash, SHA-256 on every curve (OpenSSL's default for EC keys, not the
 *   curve's own size); high-S signatures are valid, as in OpenSSL.
 * - Ed25519: the data itself (pure EdDSA), strict RFC 8032 decoding; a
 *   hash name is refused.
 * - any other key, or a hash other than SHA-256/384/512: not valid.
 *
 * @returns whether the signature is valid; never throws for bad input.
 */
export function verifySignature(
  key: PortableKey,
  data: Uint8Array,
  signature: Uint8Array,
  hash?: string | null,
): boolean {
  try {
    if (key.type === 'ed25519') {
      if (hash !== undefined && hash !== null) return false;
      return ed25519.verify(signature, data, key.raw, { zip215: false });
    }
    if (key.type !== 'ec') return false;
    const name = portableHashName(hash ?? 'sha256');
    if (name === undefined) return false;
    const digest = createPortableHash(name).update(data).digest();
    return ECDSA[key.curve].verify(signature, digest, key.point, {
      prehash: false,
      lowS: false,
      format: 'der',
    });
  } catch {
    return false;
  }
}
