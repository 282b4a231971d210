import {
  PolicyError,
  VerificationError,
  Verifier,
  type SignedEntity,
  type Signer,
  type TrustMaterial,
} from '@sigstore/verify';

import { VerifyError, type VerifyErrorCode } from '../errors.js';

// Each failure of @sigstore/verify, by its code, to one of ours.
const CODES: Record<string, VerifyErrorCode> = {
  CERTIFICATE_ERROR: 'VERIFY_CERTIFICATE_FAILED',
  PUBLIC_KEY_ERROR: 'VERIFY_KEY_MISMATCH',
  SIGNATURE_ERROR: 'VERIFY_SIGNATURE_FAILED',
  TIMESTAMP_ERROR: 'VERIFY_TIMESTAMP_FAILED',
  TLOG_ERROR: 'VERIFY_TLOG_FAILED',
  TLOG_BODY_ERROR: 'VERIFY_TLOG_FAILED',
  TLOG_INCLUSION_PROOF_ERROR: 'VERIFY_TLOG_FAILED',
  TLOG_INCLUSION_PROMISE_ERROR: 'VERIFY_TLOG_FAILED',
  TLOG_MISSING_INCLUSION_ERROR: 'VERIFY_TLOG_FAILED',
  UNTRUSTED_SIGNER_ERROR: 'VERIFY_IDENTITY_MISMATCH',
};

/**
 * Turns what the Sigstore verifier threw into a VerifyError with our code
 * and the original as its cause. With a user-given key, a signature that
 * does not verify means the key is not the signer's (the log entry already
 * matched the signature and the digest).
 */
export function fromSigstoreError(error: unknown, keyBased: boolean) {
  if (error instanceof VerificationError || error instanceof PolicyError) {
    let code = Object.hasOwn(CODES, error.code)
      ? (CODES[error.code] ?? 'VERIFY_SIGNATURE_FAILED')
      : 'VERIFY_SIGNATURE_FAILED';
    if (keyBased && code === 'VERIFY_SIGNATURE_FAILED') {
      code = 'VERIFY_KEY_MISMATCH';
    }
    const message = error.message.toLowerCase();
    return new VerifyError(code, `bundle does not verify: ${message}`, {
      cause: error,
    });
  }
  // Anything else is the verifier tripping over a malformed structure.
  return new VerifyError(
    'VERIFY_BUNDLE_MALFORMED',
    'bundle content is malformed',
    { cause: error },
  );
}

/**
 * Runs `@sigstore/verify` on one entity: a log entry and a signed time
 * unless an offline key signature is accepted (`unlogged`), an SCT unless
 * the key is given; its failures become VerifyErrors with our codes.
 *
 * @throws VerifyError as {@link fromSigstoreError} maps them.
 */
export function runVerifier(
  entity: SignedEntity,
  trust: TrustMaterial,
  keyBased: boolean,
  unlogged = false,
): Signer {
  const logged = unlogged ? 0 : 1;
  const verifier = new Verifier(trust, {
    tlogThreshold: logged,
    ctlogThreshold: keyBased ? 0 : 1,
    timestampThreshold: logged,
  });
  try {
    return verifier.verify(entity);
  } catch (error) {
    throw fromSigstoreError(error, keyBased);
  }
}
