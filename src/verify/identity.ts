import { VerifyError } from '../errors.js';

/** Who signed: the certificate's SAN (URI or e-mail) and OIDC issuer. */
export interface SignerIdentity {
  identity: string;
  issuer: string;
}

/** Who signed a key-signed bundle: the id of the key that verified it. */
export interface KeySignerIdentity {
  /** `sha256:<hex>` of the key's DER SubjectPublicKeyInfo. */
  keyId: string;
  identity?: undefined;
  issuer?: undefined;
}

/**
 * Who may sign: the OIDC issuer (compared exactly) and either an exact
 * identity or a regular expression that must match the whole identity.
 */
export interface IdentityRule {
  issuer: string;
  identity?: string;
  identityPattern?: string;
}

const patterns = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  const cached = patterns.get(pattern);
  if (cached) return cached;
  try {
    // Compiling the pattern alone first rejects unbalanced groups such as
    // `x)|(.*`, which could otherwise escape the anchoring group below.
    new RegExp(pattern, 'u');
    const anchored = new RegExp(`^(?:${pattern})$`, 'u');
    patterns.set(pattern, anchored);
    return anchored;
  } catch (error) {
    throw new VerifyError(
      'VERIFY_IDENTITY_RULE_INVALID',
      'identityPattern is not a valid regular expression',
      { cause: error },
    );
  }
}

/**
 * True when the signer satisfies the rule. The issuer and an `identity` are
 * compared exactly; an `identityPattern` is always anchored at both ends
 * (`^(?:pattern)$`, Unicode mode), so `https://github.com/acme/.*` does not
 * match `https://evil.example/https://github.com/acme/x`.
 *
 * @throws VerifyError `VERIFY_IDENTITY_RULE_INVALID` when the rule has both
 *   or neither of `identity` and `identityPattern`, or an invalid pattern.
 * @example
 * ```ts
 * matchesIdentity(verified.signer, {
 *   issuer: 'https://token.actions.githubusercontent.com',
 *   identityPattern: 'https://github\\.com/acme/.*@refs/heads/main',
 * });
 * ```
 */
export function matchesIdentity(
  signer: SignerIdentity,
  rule: IdentityRule,
): boolean {
  const hasExact = typeof rule.identity === 'string';
  const hasPattern = typeof rule.identityPattern === 'string';
  if (hasExact === hasPattern) {
    throw new VerifyError(
      'VERIFY_IDENTITY_RULE_INVALID',
      'expected exactly one of identity and identityPattern',
    );
  }
  const matcher = hasPattern ? compile(rule.identityPattern ?? '') : undefined;
  if (signer.issuer !== rule.issuer) return false;
  return matcher
    ? matcher.test(signer.identity)
    : signer.identity === rule.identity;
}
