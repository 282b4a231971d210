import type { SignedEntity } from '@sigstore/verify';

import type { BundleVersion } from './bundle-input.js';
import type { MatchedSubject } from './dsse-subjects.js';
import type { CertificateExtensions } from './extensions.js';

/** A keyless signer: the certificate's identity, issuer and extensions. */
export interface CertificateSigner {
  kind: 'certificate';
  identity: string;
  issuer: string;
  extensions: CertificateExtensions;
}

/** A key-based signer: the key that verified and the bundle's hint. */
export interface KeySigner {
  kind: 'key';
  /** `sha256:<hex>` of the key's DER SubjectPublicKeyInfo. */
  keyDigest: string;
  /** The bundle's public-key hint, unauthenticated. */
  hint: string;
}

/** One signed time that the verifier accepted. */
export interface SignedTime {
  source: 'transparency-log' | 'timestamp-authority';
  time: Date;
}

/** A verified bundle: what was checked, against what, and who signed. */
export interface BundleVerification {
  verified: true;
  /** `sha256:<hex>` of the trusted root it was checked against. */
  trustedRoot: string;
  bundleVersion: BundleVersion;
  content: 'message-signature' | 'dsse';
  signer: CertificateSigner | KeySigner;
  /** The earliest of `timestamps`. */
  signedAt: Date;
  timestamps: SignedTime[];
  tlogEntries: { logIndex: string; kind: string; version: string }[];
  /** The artifact's SHA-256 (hex). */
  artifactSha256: string;
  /** DSSE only: the statement subject that the artifact matched. */
  subject?: MatchedSubject;
  /** DSSE only: the payload bytes exactly as verified. */
  payloadType?: string;
  payload?: Buffer;
}

/** The signed times the verifier counted, earliest first. */
export function signedTimes(entity: SignedEntity): SignedTime[] {
  const times = entity.timestamps.flatMap((t): SignedTime[] => {
    if (t.$case === 'timestamp-authority') {
      return [{ source: 'timestamp-authority', time: t.timestamp.signingTime }];
    }
    // The verifier counts only entries with an inclusion promise.
    if (!t.tlogEntry.inclusionPromise) return [];
    const time = new Date(Number(t.tlogEntry.integratedTime) * 1000);
    return [{ source: 'transparency-log', time }];
  });
  return times.sort((a, b) => a.time.getTime() - b.time.getTime());
}

/** The log entries, as facts for a report. */
export function tlogFacts(entity: SignedEntity) {
  return entity.tlogEntries.map((entry) => ({
    logIndex: entry.logIndex,
    kind: entry.kindVersion.kind,
    version: entry.kindVersion.version,
  }));
}
