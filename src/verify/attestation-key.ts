import type { BundleWithDsseEnvelope } from '@sigstore/bundle';
import { type SignedEntity, type TrustMaterial } from '@sigstore/verify';

import { preAuthEncoding } from '../dsse/pae.js';
import { VerifyError } from '../errors.js';
import { verifyDsseSignature, type VerificationKey } from './public-key.js';
import { runVerifier } from './sigstore-errors.js';
import { trustMaterialOf, type TrustedRootHandle } from './trusted-root.js';

/** The keys a key-signed attestation may be checked with. */
export interface AttestationKeyOptions {
  /**
   * Public keys to try on bundles that carry a public-key hint. Without
   * them such bundles are refused.
   */
  keys?: readonly VerificationKey[];
  /**
   * Accept a key-signed bundle with no transparency-log entry and no
   * signed time. Entries that are present are verified all the same.
   */
  allowUnlogged?: boolean;
}

/** The key that verified an attestation, and the entity checked with it. */
export interface KeyVerified {
  key: VerificationKey;
  entity: SignedEntity;
}

/**
 * The key among `keys` whose signature the envelope carries. The bundle's
 * hint is not authenticated: it only orders the keys tried.
 */
function keyThatSigned(
  bundle: BundleWithDsseEnvelope,
  keys: readonly VerificationKey[],
): VerificationKey {
  const material = bundle.verificationMaterial.content;
  const hint = material.$case === 'publicKey' ? material.publicKey.hint : '';
  const ordered = [...keys].sort(
    (a, b) =>
      Number(b.digest === `sha256:${hint}`) -
      Number(a.digest === `sha256:${hint}`),
  );
  const { payloadType, payload, signatures } = bundle.content.dsseEnvelope;
  const pae = preAuthEncoding(payloadType, payload);
  const signature = signatures[0]?.sig ?? Buffer.alloc(0);
  const key = ordered.find((k) => verifyDsseSignature(k, pae, signature));
  if (key === undefined) {
    throw new VerifyError(
      'VERIFY_KEY_MISMATCH',
      `signed by none of the ${keys.length} keys given`,
    );
  }
  return key;
}

/** The entity, its DSSE signature checked with the key's own hash. */
export function keyedEntity(
  entity: SignedEntity,
  envelope: { payloadType: string; payload: Buffer },
  key: VerificationKey,
): SignedEntity {
  const { payloadType, payload } = envelope;
  const pae = preAuthEncoding(payloadType, payload);
  const signature = Object.create(entity.signature) as typeof entity.signature;
  signature.verifySignature = () =>
    verifyDsseSignature(key, pae, entity.signature.signature);
  return { ...entity, signature };
}

/**
 * The trust material of the root, with the user's key answering every
 * key hint: the hint is not authenticated.
 */
export function keyTrust(
  root: TrustedRootHandle,
  key: VerificationKey,
): TrustMaterial {
  const found = { publicKey: key.key, validFor: () => true };
  return { ...trustMaterialOf(root), publicKey: () => found };
}

/**
 * Verifies a key-signed DSSE attestation: finds the given key that made
 * its signature, then checks the log entries and signed times with
 * `@sigstore/verify`, one of each required unless `allowUnlogged`.
 *
 * @throws VerifyError `VERIFY_KEY_MISMATCH` when no given key made the
 *   signature; `VERIFY_TLOG_FAILED`, `VERIFY_TIMESTAMP_FAILED` or another
 *   verify code when a log entry or a signed time is missing or false.
 */
export function verifyWithKeys(
  bundle: BundleWithDsseEnvelope,
  entity: SignedEntity,
  root: TrustedRootHandle,
  options: AttestationKeyOptions,
): KeyVerified {
  const key = keyThatSigned(bundle, options.keys ?? []);
  const keyed = keyedEntity(entity, bundle.content.dsseEnvelope, key);
  runVerifier(keyed, keyTrust(root, key), true, options.allowUnlogged === true);
  return { key, entity: keyed };
}
