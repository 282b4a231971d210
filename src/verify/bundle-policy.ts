import type { Bundle } from '@sigstore/bundle';
import type { Signer } from '@sigstore/verify';

import { VerifyError } from '../errors.js';
import type { CertificateSigner, KeySigner } from './bundle-result.js';
import {
  checkExtensions,
  extensionsOf,
  type CertificateExtensions,
} from './extensions.js';
import { matchesIdentity, type IdentityRule } from './identity.js';
import type { VerificationKey } from './public-key.js';

/**
 * Who must have signed a keyless bundle: the OIDC issuer (exact), the
 * identity (exact, or a pattern that is always anchored) and, optionally,
 * Fulcio CI extensions that must equal the given values exactly.
 */
export interface CertificatePolicy extends IdentityRule {
  extensions?: CertificateExtensions;
}

/**
 * The policy of {@link verifyBundle}: a certificate policy for keyless
 * bundles, or the signer's public key (PEM text or a loaded key) for
 * bundles that carry a public-key hint.
 */
export type BundlePolicy =
  { certificate: CertificatePolicy } | { key: string | VerificationKey };

function checkCertificate(
  signer: Signer,
  rule: CertificatePolicy,
): CertificateSigner {
  const identity = signer.identity?.subjectAlternativeName;
  const issuer = signer.identity?.extensions?.issuer;
  if (issuer !== rule.issuer) {
    throw new VerifyError(
      'VERIFY_ISSUER_MISMATCH',
      `expected oidc issuer ${JSON.stringify(rule.issuer)}, found ${issuer === undefined ? 'none' : JSON.stringify(issuer)}`,
    );
  }
  if (identity === undefined || !matchesIdentity({ identity, issuer }, rule)) {
    const wanted = rule.identity ?? `pattern ${rule.identityPattern}`;
    throw new VerifyError(
      'VERIFY_IDENTITY_MISMATCH',
      `expected identity ${JSON.stringify(wanted)}, found ${identity === undefined ? 'none' : JSON.stringify(identity)}`,
    );
  }
  const extensions = extensionsOf(signer);
  checkExtensions(extensions, rule.extensions ?? {});
  return { kind: 'certificate', identity, issuer, extensions };
}

/**
 * Matches the verified signer against the policy.
 *
 * @throws VerifyError `VERIFY_ISSUER_MISMATCH`, `VERIFY_IDENTITY_MISMATCH`,
 *   `VERIFY_EXTENSION_MISMATCH` or `VERIFY_IDENTITY_RULE_INVALID`.
 */
export function checkSigner(
  signer: Signer,
  policy: BundlePolicy,
  key: VerificationKey | undefined,
  bundle: Bundle,
): CertificateSigner | KeySigner {
  if ('certificate' in policy)
    return checkCertificate(signer, policy.certificate);
  const material = bundle.verificationMaterial.content;
  const hint = material.$case === 'publicKey' ? material.publicKey.hint : '';
  return { kind: 'key', keyDigest: key?.digest ?? '', hint };
}
