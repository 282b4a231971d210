import type { KeyObject } from 'node:crypto';

import { crypto as sigstoreCrypto } from '@sigstore/core';

import { sha256Hex } from '../crypto/hash.js';
import { canonicalSpki } from '../crypto/public-key.js';
import { VerifyError } from '../errors.js';

/** A public key given by the user for key-based (non-keyless) bundles. */
export interface VerificationKey {
  key: KeyObject;
  /** `ecdsa-p256`, `ecdsa-p384` or `ed25519`. */
  type: string;
  /**
   * `sha256:<hex>` of the DER SubjectPublicKeyInfo with an EC point
   * uncompressed (as OpenSSL writes keys), to name the key.
   */
  digest: string;
}

const EC_TYPES: Record<string, string> = {
  prime256v1: 'ecdsa-p256',
  secp384r1: 'ecdsa-p384',
};

function typeOf(key: KeyObject): string | undefined {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType !== 'ec') return undefined;
  const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
  return Object.hasOwn(EC_TYPES, curve) ? EC_TYPES[curve] : undefined;
}

/** One PEM public key block and nothing else but white space. */
const ONE_PUBLIC_KEY =
  /^\s*-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=\s]+-----END PUBLIC KEY-----\s*$/;

/**
 * Reads a PEM public key (`-----BEGIN PUBLIC KEY-----`): ECDSA P-256 or
 * P-384, or Ed25519. A private key is refused, so that it can never be
 * passed where a public one belongs; so is a file that holds more than
 * the one key block (a key pair file carries the private key after it).
 *
 * @throws VerifyError `VERIFY_KEY_INVALID` for anything else; the message
 *   never quotes the input.
 * @example
 * ```ts
 * const key = loadPublicKey(await readFile('key.pub', 'utf8'));
 * ```
 */
export function loadPublicKey(pem: string): VerificationKey {
  if (!ONE_PUBLIC_KEY.test(pem)) {
    throw new VerifyError(
      'VERIFY_KEY_INVALID',
      'expected a PEM public key (BEGIN PUBLIC KEY), and nothing else',
    );
  }
  let key: KeyObject;
  try {
    // Through @sigstore/core's crypto: node:crypto under Node, and in the
    // browser build (src/core) the portable one that Sigstore gets too.
    key = sigstoreCrypto.createPublicKey(pem.trimStart());
  } catch (cause) {
    throw new VerifyError('VERIFY_KEY_INVALID', 'public key does not parse', {
      cause,
    });
  }
  const type = typeOf(key);
  if (type === undefined) {
    const found = key.asymmetricKeyType ?? 'unknown';
    throw new VerifyError(
      'VERIFY_KEY_INVALID',
      `expected an ECDSA P-256, P-384 or Ed25519 key, found ${found}`,
    );
  }
  // One key, one id: a compressed point must not count twice. A hybrid
  // point is refused here, as the portable parser of the core refuses it.
  const der = canonicalSpki(key.export({ format: 'der', type: 'spki' }));
  return { key, type, digest: `sha256:${sha256Hex(der)}` };
}

/**
 * Verifies a DSSE signature over its pre-authentication encoding with the
 * hash Sigstore pairs with the key (`PKIX_ECDSA_P384_SHA_384` on P-384,
 * SHA-256 on P-256, none on Ed25519); `@sigstore/verify` would hash every
 * ECDSA key with SHA-256.
 */
export function verifyDsseSignature(
  key: VerificationKey,
  pae: Uint8Array,
  signature: Uint8Array,
): boolean {
  const hash = { 'ecdsa-p256': 'sha256', 'ecdsa-p384': 'sha384' }[key.type];
  // @sigstore/core's verify returns false where node:crypto would throw.
  const bytes = (b: Uint8Array) =>
    Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return sigstoreCrypto.verify(bytes(pae), key.key, bytes(signature), hash);
}
