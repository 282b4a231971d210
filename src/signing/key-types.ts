import type { KeyObject } from 'node:crypto';

/** A key type this project signs and verifies with. */
export interface KeyType {
  /** Its name in Sigstore's `PublicKeyDetails`. */
  details:
    'PKIX_ECDSA_P256_SHA_256' | 'PKIX_ECDSA_P384_SHA_384' | 'PKIX_ED25519';
  /** The hash signatures use: SHA-256 on P-256, SHA-384 on P-384, none on Ed25519. */
  hash: 'sha256' | 'sha384' | null;
}

/**
 * The type of a public or private key, or `undefined` for any key this
 * project does not sign with. Callers throw their own error for that.
 */
export function keyTypeOf(key: KeyObject): KeyType | undefined {
  if (key.asymmetricKeyType === 'ed25519') {
    return { details: 'PKIX_ED25519', hash: null };
  }
  if (key.asymmetricKeyType !== 'ec') return undefined;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'prime256v1') {
    return { details: 'PKIX_ECDSA_P256_SHA_256', hash: 'sha256' };
  }
  if (curve === 'secp384r1') {
    return { details: 'PKIX_ECDSA_P384_SHA_384', hash: 'sha384' };
  }
  return undefined;
}
