import {
  verify as verifySignature,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';

import { preAuthEncoding } from '../dsse/index.js';
import { InteropError } from '../errors.js';
import {
  matchesIdentity,
  verifyAttestation,
  type IdentityRule,
  type SignerIdentity,
  type TrustedRootHandle,
} from '../verify/index.js';
import type { OmsBundle } from './oms-bundle.js';
import { hashFor } from './oms-keys.js';

/** How a model.sig is checked: the three methods of model_signing. */
export type OmsMethod =
  | {
      kind: 'sigstore';
      trustedRoot: TrustedRootHandle;
      /** The signer must match this rule, or one of these. */
      identity: IdentityRule | readonly IdentityRule[];
    }
  | { kind: 'key'; publicKey: KeyObject }
  | { kind: 'certificate'; chain: X509Certificate[] };

/** Who signed, as far as the method can tell. */
export type OmsSigner =
  | { kind: 'sigstore'; identity: SignerIdentity; signedAt: Date }
  | { kind: 'key' }
  | { kind: 'certificate'; subject: string; anchor: string };

const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

/**
 * Verifies the envelope's one signature by the given method and returns
 * the payload bytes that were verified, with the signer.
 *
 * @throws InteropError `OMS_SIGNATURE_INVALID`, `OMS_CHAIN_INVALID` or
 *   `OMS_IDENTITY_MISMATCH`.
 */
export async function verifyOmsSignature(
  bundle: OmsBundle,
  method: OmsMethod,
): Promise<{ payload: Buffer; signer: OmsSigner }> {
  if (method.kind === 'sigstore') return viaSigstore(bundle, method);
  if (method.kind === 'key') {
    checkDsse(bundle, method.publicKey);
    return { payload: bundle.payload, signer: { kind: 'key' } };
  }
  const leaf = chainToAnchor(bundle, method.chain);
  checkDsse(bundle, leaf.publicKey);
  const anchor = method.chain.at(-1)?.subject ?? '';
  return {
    payload: bundle.payload,
    signer: { kind: 'certificate', subject: leaf.subject, anchor },
  };
}

async function viaSigstore(
  bundle: OmsBundle,
  method: Extract<OmsMethod, { kind: 'sigstore' }>,
) {
  let verified;
  try {
    verified = await verifyAttestation(bundle.json, method.trustedRoot);
  } catch (cause) {
    throw new InteropError(
      'OMS_SIGNATURE_INVALID',
      'Sigstore verification failed',
      { cause },
    );
  }
  const rules: readonly IdentityRule[] = isRuleList(method.identity)
    ? method.identity
    : [method.identity];
  if (!rules.some((rule) => matchesIdentity(verified.signer, rule))) {
    throw new InteropError(
      'OMS_IDENTITY_MISMATCH',
      `signed by ${verified.signer.identity} (issuer ${verified.signer.issuer}), not the identity expected`,
    );
  }
  const signer = {
    kind: 'sigstore' as const,
    identity: verified.signer,
    signedAt: verified.signedAt,
  };
  return { payload: verified.payload, signer };
}

function isRuleList(
  identity: IdentityRule | readonly IdentityRule[],
): identity is readonly IdentityRule[] {
  return Array.isArray(identity);
}

/** The DSSE signature over the pre-authentication encoding, by `key`. */
function checkDsse(bundle: OmsBundle, key: KeyObject): void {
  const pae = preAuthEncoding(bundle.payloadType, bundle.payload);
  let ok = false;
  try {
    ok = verifySignature(hashFor(key), pae, key, bundle.signature);
  } catch (cause) {
    throw new InteropError(
      'OMS_SIGNATURE_INVALID',
      'signature could not be checked',
      { cause },
    );
  }
  if (!ok) {
    throw new InteropError(
      'OMS_SIGNATURE_INVALID',
      'signature does not match the key',
    );
  }
}

/**
 * Walks from the bundle's leaf certificate to the last certificate of the
 * given chain (the trust anchor), through the given intermediates only:
 * names and signatures must link, every issuer must be a CA, each must be
 * valid now, and the leaf must allow code signing if it says what it is for.
 */
function chainToAnchor(
  bundle: OmsBundle,
  chain: X509Certificate[],
): X509Certificate {
  const der = bundle.certificates[0];
  if (der === undefined || chain.length === 0) {
    throw new InteropError(
      'OMS_CHAIN_INVALID',
      'expected a leaf certificate and a chain',
    );
  }
  const leaf = new X509Certificate(der);
  const usages = leaf.keyUsage;
  if (
    usages !== undefined &&
    usages.length > 0 &&
    !usages.includes(CODE_SIGNING)
  ) {
    chainError('the leaf certificate is not for code signing');
  }
  let current = leaf;
  for (let hops = 0; hops <= chain.length; hops += 1) {
    checkValidNow(current);
    const issuer = chain.find(
      (c) => current.checkIssued(c) && current.verify(c.publicKey),
    );
    if (issuer === undefined)
      chainError(`no certificate of the chain issued ${current.subject}`);
    if (!issuer.ca) chainError(`${issuer.subject} is not a CA`);
    if (issuer === chain.at(-1)) {
      checkValidNow(issuer);
      return leaf;
    }
    current = issuer;
  }
  return chainError('the chain does not reach its last certificate');
}

function checkValidNow(cert: X509Certificate): void {
  const now = Date.now();
  if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now) {
    chainError(`${cert.subject} is not valid now`);
  }
}

function chainError(message: string): never {
  throw new InteropError('OMS_CHAIN_INVALID', message);
}
