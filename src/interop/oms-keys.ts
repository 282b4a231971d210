import type { KeyObject } from 'node:crypto';

import { InteropError } from '../errors.js';

/**
 * The Sigstore key details of a key model_signing can use.
 *
 * @throws InteropError `OMS_UNSUPPORTED` for any other key.
 */
export function keyDetails(key: KeyObject): string {
  if (key.asymmetricKeyType === 'ed25519') return 'PKIX_ED25519';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'secp384r1') return 'PKIX_ECDSA_P384_SHA_384';
  if (curve === 'prime256v1') return 'PKIX_ECDSA_P256_SHA_256';
  throw new InteropError(
    'OMS_UNSUPPORTED',
    `key type ${String(curve ?? key.asymmetricKeyType)}`,
  );
}

/** model_signing signs with SHA-384 on P-384 keys, SHA-256 on P-256. */
export function hashFor(key: KeyObject): string | null {
  const details = keyDetails(key);
  if (details === 'PKIX_ED25519') return null;
  return details.endsWith('384') ? 'sha384' : 'sha256';
}
