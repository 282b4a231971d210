import type { KeyObject } from 'node:crypto';

import type { Bundle } from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import type { SignedEntity } from '@sigstore/verify';

import { VerifyError } from '../errors.js';
import { keyTypeOf } from '../signing/key-types.js';

type SignatureContent = SignedEntity['signature'];

const NAMES = new Map<HashAlgorithm, string>([
  [HashAlgorithm.SHA2_256, 'sha256'],
  [HashAlgorithm.SHA2_384, 'sha384'],
  [HashAlgorithm.SHA2_512, 'sha512'],
]);

/**
 * Why an ECDSA key's message signature may not be checked with the hash
 * its bundle declares, or `undefined` when it may. The Sigstore algorithm
 * registry pairs each ECDSA curve with one hash (`ecdsa-sha2-256-nistp256`,
 * `ecdsa-sha2-384-nistp384`), as the key's `PKIX_ECDSA_P384_SHA_384` says;
 * `@sigstore/verify` would use whatever the bundle declares. Ed25519 signs
 * the message itself, so any declared digest is only a hint.
 */
export function messageHashProblem(
  key: KeyObject,
  declared: HashAlgorithm,
): string | undefined {
  const type = keyTypeOf(key);
  if (!type?.hash || NAMES.get(declared) === type.hash) return undefined;
  const found = NAMES.get(declared) ?? 'another hash';
  return `expected a ${type.hash} message digest for a ${type.details} key, as the Sigstore algorithm registry pairs them, found ${found}`;
}

/**
 * Refuses a message signature whose declared hash is not the one of the
 * given key's type, before any signature is checked.
 *
 * @throws VerifyError `VERIFY_BUNDLE_UNSUPPORTED`.
 */
export function checkMessageHash(bundle: Bundle, key: KeyObject): void {
  if (bundle.content.$case !== 'messageSignature') return;
  const { algorithm } = bundle.content.messageSignature.messageDigest;
  const problem = messageHashProblem(key, algorithm);
  if (problem) throw new VerifyError('VERIFY_BUNDLE_UNSUPPORTED', problem);
}

/**
 * The entity with the same rule applied to whatever key the verifier
 * checks the signature with (a certificate's key too): a signature with
 * the wrong hash for its key does not verify.
 */
export function withMessageHashRule(
  entity: SignedEntity,
  bundle: Bundle,
): SignedEntity {
  if (bundle.content.$case !== 'messageSignature') return entity;
  const { algorithm } = bundle.content.messageSignature.messageDigest;
  const inner = entity.signature;
  const signature = Object.create(inner) as SignatureContent;
  signature.verifySignature = (key) =>
    messageHashProblem(key, algorithm) === undefined &&
    inner.verifySignature(key);
  return { ...entity, signature };
}
