/**
 * Verifying one attestation: trusted roots, the Sigstore checks, and
 * matching the signer against an identity rule.
 *
 * @packageDocumentation
 */
export { loadTrustedRoot } from './trusted-root.js';
export type { TrustedRootHandle } from './trusted-root.js';
export { verifyAttestation } from './attestation.js';
export type {
  KeyVerifiedAttestation,
  VerifiedAttestation,
} from './attestation.js';
export type { AttestationKeyOptions } from './attestation-key.js';
export { loadPublicKey } from './public-key.js';
export type { VerificationKey } from './public-key.js';
export { matchesIdentity } from './identity.js';
export type {
  IdentityRule,
  KeySignerIdentity,
  SignerIdentity,
} from './identity.js';
export { verifySubjects } from './subjects.js';
export { inspectAttestation } from './inspect.js';
export type { Inspection } from './inspect.js';
