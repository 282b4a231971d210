import type { KeyObject } from 'node:crypto';

import { InteropError } from '../errors.js';
import { keyTypeOf, type KeyType } from '../signing/key-types.js';

/**
 * The Sigstore key details of a key model_signing can use.
 *
 * @throws InteropError `OMS_UNSUPPORTED` for any other key.
 */
export function keyDetails(key: KeyObject): KeyType['details'] {
  return supported(key).details;
}

/** model_signing signs with SHA-384 on P-384 keys, SHA-256 on P-256. */
export function hashFor(key: KeyObject): string | null {
  return supported(key).hash;
}

function supported(key: KeyObject): KeyType {
  const type = keyTypeOf(key);
  if (type === undefined) {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    throw new InteropError(
      'OMS_UNSUPPORTED',
      `key type ${String(curve ?? key.asymmetricKeyType)}`,
    );
  }
  return type;
}
