import {
  createPublicKey,
  verify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';

/**
 * The public key of a Rekor verifier: a PEM certificate (keyless) or a PEM
 * public key (key-based), or the same as DER. Undefined when neither parses.
 */
export function verifierKey(material: Buffer): KeyObject | undefined {
  const text = material.toString('utf8');
  try {
    if (text.includes('BEGIN PUBLIC KEY')) return createPublicKey(text);
    if (text.includes('BEGIN CERTIFICATE')) {
      return new X509Certificate(text).publicKey;
    }
    return new X509Certificate(material).publicKey;
  } catch {
    return undefined;
  }
}

/** The hash Sigstore pairs with a key: none for Ed25519, SHA-384 on P-384. */
function hashOf(key: KeyObject): string | null {
  if (key.asymmetricKeyType === 'ed25519') return null;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === 'secp384r1' ? 'sha384' : 'sha256';
}

/** DSSE v1 pre-authentication encoding. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  const head = `DSSEv1 ${type.length} ${payloadType} ${payload.length} `;
  return Buffer.concat([Buffer.from(head, 'utf8'), payload]);
}

/** True when every signature verifies over `data` with `key`. */
export function allVerify(
  key: KeyObject,
  data: Buffer,
  signatures: Buffer[],
): boolean {
  try {
    const hash = hashOf(key);
    return signatures.every((sig) => verify(hash, data, key, sig));
  } catch {
    return false;
  }
}
