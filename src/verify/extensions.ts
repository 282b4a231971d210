import { ASN1Obj } from '@sigstore/core';
import type { Signer } from '@sigstore/verify';

import { VerifyError } from '../errors.js';

/**
 * Fulcio certificate extensions that describe a CI identity, by name
 * (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md). Values
 * of these OIDs (1.3.6.1.4.1.57264.1.9 and later) are DER UTF8Strings; the
 * OIDC issuer is not among them: it is matched on its own.
 */
export const CI_EXTENSIONS = {
  buildSignerURI: '1.3.6.1.4.1.57264.1.9',
  buildSignerDigest: '1.3.6.1.4.1.57264.1.10',
  runnerEnvironment: '1.3.6.1.4.1.57264.1.11',
  sourceRepositoryURI: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
  sourceRepositoryIdentifier: '1.3.6.1.4.1.57264.1.15',
  sourceRepositoryOwnerURI: '1.3.6.1.4.1.57264.1.16',
  sourceRepositoryOwnerIdentifier: '1.3.6.1.4.1.57264.1.17',
  buildConfigURI: '1.3.6.1.4.1.57264.1.18',
  buildConfigDigest: '1.3.6.1.4.1.57264.1.19',
  buildTrigger: '1.3.6.1.4.1.57264.1.20',
  runInvocationURI: '1.3.6.1.4.1.57264.1.21',
  sourceRepositoryVisibilityAtSigning: '1.3.6.1.4.1.57264.1.22',
} as const;

/** The name of a Fulcio CI extension, e.g. `sourceRepositoryRef`. */
export type CertificateExtensionName = keyof typeof CI_EXTENSIONS;

/** Extension values of a signing certificate, by name. */
export type CertificateExtensions = Partial<
  Record<CertificateExtensionName, string>
>;

const NAMES = new Map<string, CertificateExtensionName>(
  Object.entries(CI_EXTENSIONS).map(([name, oid]) => [
    oid,
    name as CertificateExtensionName,
  ]),
);

/** The UTF8String inside an extension value, or undefined. */
function utf8Value(value: Buffer): string | undefined {
  try {
    const inner = ASN1Obj.parseBuffer(Buffer.from(value));
    if (inner.tag.number !== 12 || inner.tag.constructed) return undefined;
    return new TextDecoder('utf-8', { fatal: true }).decode(inner.value);
  } catch {
    return undefined;
  }
}

/**
 * Reads the Fulcio CI extensions of a verified signer's certificate. An
 * extension whose value is not a DER UTF8String is left out.
 */
export function extensionsOf(signer: Signer): CertificateExtensions {
  const found: CertificateExtensions = {};
  for (const { oid, value } of signer.identity?.oids ?? []) {
    const name = NAMES.get(oid?.id.join('.') ?? '');
    const text = name === undefined ? undefined : utf8Value(value);
    if (name !== undefined && text !== undefined) found[name] = text;
  }
  return found;
}

/**
 * Requires each extension the policy names to equal the certificate's
 * value exactly.
 *
 * @throws VerifyError `VERIFY_EXTENSION_MISMATCH` naming the first that
 *   differs or is missing; `VERIFY_IDENTITY_RULE_INVALID` for an unknown
 *   extension name.
 */
export function checkExtensions(
  found: CertificateExtensions,
  wanted: CertificateExtensions,
): void {
  for (const [name, expected] of Object.entries(wanted)) {
    if (!Object.hasOwn(CI_EXTENSIONS, name)) {
      throw new VerifyError(
        'VERIFY_IDENTITY_RULE_INVALID',
        `expected a Fulcio extension name, found ${JSON.stringify(name)}`,
      );
    }
    if (expected === undefined) continue;
    const actual = found[name as CertificateExtensionName];
    if (actual !== expected) {
      throw new VerifyError(
        'VERIFY_EXTENSION_MISMATCH',
        `certificate extension ${name}: expected ${JSON.stringify(expected)}, found ${actual === undefined ? 'none' : JSON.stringify(actual)}`,
      );
    }
  }
}
