import { X509Certificate } from '@sigstore/core';

import { ProvenanceError } from '../errors.js';
import { parseStrictJsonBytes } from '../json/strict.js';
import { parseStatement, PAYLOAD_TYPE } from '../statement/index.js';
import { readStep, type StepView } from '../steps/index.js';
import type { AttestationKeyOptions } from './attestation-key.js';
import { verifyAttestation } from './attestation.js';
import type { SignerIdentity } from './identity.js';
import type { TrustedRootHandle } from './trusted-root.js';

/** What one attestation says, and whether that was verified. */
export interface Inspection {
  /** True when verified against a trusted root; false when that failed;
   * null when no root was given and nothing was verified. */
  verified: boolean | null;
  /** Why verification or reading failed. */
  problem?: string;
  /** The error code of that failure, when it has one. */
  code?: string;
  step?: StepView;
  /**
   * The signer: verified, or as the certificate claims when unverified;
   * for a key-signed attestation verified with a key given, its `keyId`.
   */
  signer?: Partial<SignerIdentity> & { keyId?: string };
  signedAt?: Date;
}

/**
 * Reads one stored attestation for a human: with a trusted root it is
 * verified first and what it says comes from the verified bytes; without,
 * its content is decoded and marked unverified. A key-signed attestation
 * is verified only with `keys` (as `verifyAttestation` takes them). Never
 * throws.
 */
export async function inspectAttestation(
  bytes: Uint8Array,
  root?: TrustedRootHandle,
  keys: AttestationKeyOptions = {},
): Promise<Inspection> {
  let bundle: unknown;
  try {
    bundle = parseStrictJsonBytes(bytes, 32);
  } catch {
    return {
      verified: root ? false : null,
      problem: 'not a Sigstore bundle: not strict UTF-8 JSON',
    };
  }
  if (root === undefined) return decodeUnverified(bundle);
  try {
    const v = await verifyAttestation(bundle, root, keys);
    const step = stepOf(v.payloadType, v.payload);
    return { verified: true, step, signer: v.signer, signedAt: v.signedAt };
  } catch (error) {
    return {
      ...decodeUnverified(bundle),
      verified: false,
      problem: reason(error),
      ...(error instanceof ProvenanceError && { code: String(error.code) }),
    };
  }
}

function decodeUnverified(bundle: unknown): Inspection {
  try {
    const b = bundle as {
      dsseEnvelope?: { payload?: string; payloadType?: string };
      verificationMaterial?: {
        certificate?: { rawBytes?: string };
        tlogEntries?: { integratedTime?: string }[];
      };
    };
    const payload = Buffer.from(b.dsseEnvelope?.payload ?? '', 'base64');
    const step = stepOf(b.dsseEnvelope?.payloadType ?? '', payload);
    const raw = b.verificationMaterial?.certificate?.rawBytes;
    const identity = raw
      ? X509Certificate.parse(Buffer.from(raw, 'base64')).subjectAltName
      : undefined;
    const time = Number(
      b.verificationMaterial?.tlogEntries?.[0]?.integratedTime,
    );
    return {
      verified: null,
      step,
      ...(identity ? { signer: { identity } } : {}),
      ...(time > 0 ? { signedAt: new Date(time * 1000) } : {}),
    };
  } catch (error) {
    return { verified: null, problem: reason(error) };
  }
}

function stepOf(payloadType: string, payload: Uint8Array): StepView {
  if (payloadType !== PAYLOAD_TYPE) {
    throw new Error(`payload type ${JSON.stringify(payloadType)}`);
  }
  return readStep(parseStatement(payload));
}

function reason(error: unknown): string {
  if (error instanceof ProvenanceError)
    return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : 'unreadable';
}
