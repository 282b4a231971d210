import { isKeyRule, type SignerRule } from '../policy/signers.js';
// From its module, not the index, which brings Node's file hashing into
// the browser core (src/core).
import { matchesIdentity } from '../verify/identity.js';

/** A keyless signer, as its certificate names it. */
export interface IdentitySignerRef {
  identity: string;
  issuer: string;
  keyId?: undefined;
}

/** A key signer, by the id of the key that verified its signature. */
export interface KeySignerRef {
  /** `sha256:<hex>` of the key's DER SubjectPublicKeyInfo. */
  keyId: string;
  identity?: undefined;
  issuer?: undefined;
}

/** Who signed an attestation: a certificate identity or a key id. */
export type SignerRef = IdentitySignerRef | KeySignerRef;

/** True for a signer known by its key. */
export function isKeySigner(signer: SignerRef): signer is KeySignerRef {
  return signer.keyId !== undefined;
}

/** One line naming the signer for a report; never key material. */
export function describeSigner(signer: SignerRef): string {
  return isKeySigner(signer)
    ? `key ${signer.keyId}`
    : `${signer.identity} (issuer ${signer.issuer})`;
}

/** The signer's identity, or its key id. */
export function signerName(signer: SignerRef): string {
  return isKeySigner(signer) ? signer.keyId : signer.identity;
}

/** What makes two signers distinct, for k-of-n thresholds. */
export function signerKey(signer: SignerRef): string {
  return isKeySigner(signer)
    ? signer.keyId
    : `${signer.issuer} ${signer.identity}`;
}

/**
 * True when the rule allows the signer: a key rule a key signer with that
 * key id, an identity rule a keyless signer with that issuer and identity.
 */
export function signerAllowed(signer: SignerRef, rule: SignerRule): boolean {
  if (isKeyRule(rule)) {
    return isKeySigner(signer) && signer.keyId === rule.keyId;
  }
  return !isKeySigner(signer) && matchesIdentity(signer, rule);
}
