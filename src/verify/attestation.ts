import {
  bundleFromJSON,
  isBundleWithDsseEnvelope,
  type BundleWithDsseEnvelope,
} from '@sigstore/bundle';
import {
  PolicyError,
  toSignedEntity,
  VerificationError,
  Verifier,
  type SignedEntity,
  type Signer as SigstoreSigner,
} from '@sigstore/verify';

import { VerifyError } from '../errors.js';
import { checkOneMaterial } from './bundle-input.js';
import { checkBundleStrictly } from './strict-bundle.js';
import {
  verifyWithKeys,
  type AttestationKeyOptions,
} from './attestation-key.js';
import type { KeySignerIdentity, SignerIdentity } from './identity.js';
import { trustMaterialOf, type TrustedRootHandle } from './trusted-root.js';

/** What one verified attestation says, and who signed it when. */
export interface VerifiedAttestation {
  /** The DSSE payload bytes exactly as their signature was checked. */
  payload: Buffer;
  payloadType: string;
  signer: SignerIdentity;
  /** The earliest verified signed time (log entry or timestamp authority). */
  signedAt: Date;
}

/** A key-signed attestation that verified with one of the keys given. */
export interface KeyVerifiedAttestation {
  /** The DSSE payload bytes exactly as their signature was checked. */
  payload: Buffer;
  payloadType: string;
  /** The key that verified it, by id; never its material. */
  signer: KeySignerIdentity;
  /** The earliest verified signed time; absent for an unlogged bundle. */
  signedAt?: Date;
}

// A signed time is required: with tsaThreshold alone the verifier would
// count zero timestamps as enough.
const THRESHOLDS = {
  tlogThreshold: 1,
  ctlogThreshold: 1,
  timestampThreshold: 1,
};

const malformed = (message: string, cause?: unknown) =>
  new VerifyError('VERIFY_BUNDLE_MALFORMED', message, { cause });

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Refuses, before parsing, what is not a single-signature DSSE bundle. */
function checkShape(json: unknown): void {
  if (!isObject(json)) throw malformed('expected a bundle JSON object');
  checkOneMaterial(json);
  if (json.messageSignature !== undefined && json.dsseEnvelope === undefined) {
    throw new VerifyError(
      'VERIFY_NOT_DSSE',
      'expected a DSSE envelope, found a message signature',
    );
  }
  const envelope = json.dsseEnvelope;
  if (!isObject(envelope)) throw malformed('expected a dsseEnvelope object');
  const { signatures } = envelope;
  if (!Array.isArray(signatures)) throw malformed('expected DSSE signatures');
  if (signatures.length !== 1) {
    throw new VerifyError(
      'VERIFY_SIGNATURE_COUNT',
      `expected exactly 1 DSSE signature, found ${signatures.length}`,
    );
  }
}

function parseBundle(json: unknown): BundleWithDsseEnvelope {
  checkShape(json);
  let bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (error) {
    throw malformed('bundle does not parse as a Sigstore bundle', error);
  }
  if (!isBundleWithDsseEnvelope(bundle)) {
    throw new VerifyError('VERIFY_NOT_DSSE', 'expected a DSSE envelope');
  }
  return bundle;
}

function toEntity(bundle: BundleWithDsseEnvelope): SignedEntity {
  try {
    return toSignedEntity(bundle);
  } catch (error) {
    throw malformed('bundle material does not parse', error);
  }
}

function runVerifier(
  entity: SignedEntity,
  root: TrustedRootHandle,
): SigstoreSigner {
  const verifier = new Verifier(trustMaterialOf(root), THRESHOLDS);
  try {
    return verifier.verify(entity);
  } catch (error) {
    if (error instanceof VerificationError || error instanceof PolicyError) {
      throw new VerifyError(
        'VERIFY_SIGNATURE_FAILED',
        `attestation does not verify: ${error.message}`,
        { cause: error },
      );
    }
    // Anything else is the verifier tripping over a malformed structure.
    throw malformed('bundle content is malformed', error);
  }
}

function identityOf(signer: SigstoreSigner): SignerIdentity {
  const identity = signer.identity?.subjectAlternativeName;
  const issuer = signer.identity?.extensions?.issuer;
  if (!identity || !issuer) {
    throw new VerifyError(
      'VERIFY_SIGNATURE_FAILED',
      'expected a certificate with an identity SAN and an OIDC issuer',
    );
  }
  return { identity, issuer };
}

/** The earliest of the signed times the verifier accepted. */
function signedTimeOf(entity: SignedEntity): Date {
  const time = earliestTime(entity);
  if (time === undefined) {
    throw new VerifyError('VERIFY_SIGNATURE_FAILED', 'found no signed time');
  }
  return time;
}

function earliestTime(entity: SignedEntity): Date | undefined {
  const times = entity.timestamps.flatMap((t) => {
    if (t.$case === 'timestamp-authority') return [t.timestamp.signingTime];
    // Only entries with an inclusion promise carry a signed time.
    if (!t.tlogEntry.inclusionPromise) return [];
    return [new Date(Number(t.tlogEntry.integratedTime) * 1000)];
  });
  const ms = Math.min(...times.map((d) => d.getTime()));
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

function verifyKeySigned(
  bundle: BundleWithDsseEnvelope,
  entity: SignedEntity,
  root: TrustedRootHandle,
  options: AttestationKeyOptions,
): KeyVerifiedAttestation {
  const { key, entity: keyed } = verifyWithKeys(bundle, entity, root, options);
  const { payload, payloadType } = bundle.content.dsseEnvelope;
  const signedAt = earliestTime(keyed);
  return {
    payload,
    payloadType,
    signer: { keyId: key.digest },
    ...(signedAt && { signedAt }),
  };
}

/**
 * Verifies one attestation: a Sigstore bundle holding a DSSE envelope with
 * exactly one signature, whose certificate chains to the trusted root, with
 * an SCT, a transparency-log entry and a signed time. It does not check who
 * signed: match the returned signer with {@link matchesIdentity}.
 *
 * With `options.keys`, a bundle that carries a public-key hint instead of a
 * certificate is verified with the given key that made its signature, and
 * its signer is that key's id; it needs a log entry and a signed time
 * unless `options.allowUnlogged`.
 *
 * @param bundle - the bundle, parsed from JSON; hostile until verified.
 * @param root - from {@link loadTrustedRoot}.
 * @param options - keys for key-signed bundles.
 * @returns the verified payload bytes (never re-encoded), its type, the
 *   signer's identity and OIDC issuer, and the signed time.
 * @throws VerifyError `VERIFY_BUNDLE_MALFORMED` for input that is not a
 *   bundle, `VERIFY_NOT_DSSE` for a message signature,
 *   `VERIFY_SIGNATURE_COUNT` for other than one signature,
 *   `VERIFY_SIGNATURE_FAILED` (with the cause) when a signature, chain, log
 *   or time check fails; for a key-signed bundle `VERIFY_KEY_MISMATCH` when
 *   no given key made the signature, `VERIFY_TLOG_FAILED` or
 *   `VERIFY_TIMESTAMP_FAILED` when a log entry or signed time is missing.
 * @example
 * ```ts
 * const root = loadTrustedRoot(rootJson);
 * const { payload, signer } = await verifyAttestation(bundleJson, root);
 * ```
 */
export function verifyAttestation(
  bundle: unknown,
  root: TrustedRootHandle,
): Promise<VerifiedAttestation>;
export function verifyAttestation(
  bundle: unknown,
  root: TrustedRootHandle,
  options: AttestationKeyOptions,
): Promise<VerifiedAttestation | KeyVerifiedAttestation>;
export function verifyAttestation(
  bundle: unknown,
  root: TrustedRootHandle,
  options?: AttestationKeyOptions,
): Promise<VerifiedAttestation | KeyVerifiedAttestation> {
  return Promise.resolve().then(() => {
    checkBundleStrictly(bundle);
    const parsed = parseBundle(bundle);
    const entity = toEntity(parsed);
    const material = parsed.verificationMaterial.content.$case;
    if (options?.keys && material === 'publicKey') {
      return verifyKeySigned(parsed, entity, root, options);
    }
    const signer = identityOf(runVerifier(entity, root));
    const { payload, payloadType } = parsed.content.dsseEnvelope;
    return { payload, payloadType, signer, signedAt: signedTimeOf(entity) };
  });
}
