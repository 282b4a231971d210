import type { SignerRef } from './signer.js';

/**
 * Findings of chain verification. Codes are stable: tools branch on them.
 * `error` findings make the verdict fail; `info` findings are reported only.
 */
export const FINDING_CODES = [
  'ATTESTATION_MALFORMED',
  'ATTESTATION_UNVERIFIED',
  'STATEMENT_INVALID',
  'MANIFEST_MISSING',
  'MANIFEST_DIGEST_MISMATCH',
  'MANIFEST_MALFORMED',
  'STEP_KIND_NOT_ALLOWED',
  'SIGNER_NOT_ALLOWED',
  'NO_ATTESTATION_FOR_MODEL',
  'NO_ARTIFACT_MATCHED',
  'MODEL_EMPTY',
  'MODEL_ALL_FILES_IGNORED',
  'ATTESTATION_EMPTY',
  'STATEMENT_NO_SUBJECT',
  'FILE_MODIFIED',
  'FILE_UNATTESTED',
  'FILE_MISSING',
  'BUNDLE_DIGEST_MISMATCH',
  'DIGEST_MISMATCH',
  'FILE_CHANGED_DURING_VERIFICATION',
  'INPUT_UNRESOLVED',
  'INPUT_FROM_UNTRUSTED_STEP',
  'CONFLICTING_PRODUCERS',
  'CHAIN_CYCLE',
  'STEP_MISSING',
  'STEP_BEFORE_INPUT',
  'STEP_TIME_UNCHECKED',
  'STEP_OUT_OF_ORDER',
  'RELEASE_MISMATCH',
  'TOO_FEW_SIGNERS',
  'OMS_SIGNATURE_INVALID',
  'OMS_SUBJECT_MISMATCH',
  'ATTESTATION_OFF_PATH',
] as const;

/** A finding's stable code. */
export type FindingCode = (typeof FINDING_CODES)[number];

export type Severity = 'error' | 'info';

/** Who signed: a certificate identity and issuer, or a key id. */
export type { SignerRef };

/** One finding, with everything needed to locate it from the report alone. */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** One line, lower-case, saying what was expected and what was found. */
  message: string;
  /** Store id (SHA-256 of the bundle bytes) of the attestation concerned. */
  attestation?: string;
  /** Step kind concerned. */
  step?: string;
  signer?: SignerRef;
  /** File concerned, relative to the model bundle or the step's root. */
  file?: string;
  /** Digest the chain says the file should have. */
  expected?: string;
  /** Digest found. */
  actual?: string;
}

const INFO: ReadonlySet<FindingCode> = new Set([
  'ATTESTATION_OFF_PATH',
  'STEP_TIME_UNCHECKED',
]);

/** Builds a finding with the severity that its code carries. */
export function finding(
  code: FindingCode,
  message: string,
  details: Omit<Finding, 'code' | 'severity' | 'message'> = {},
): Finding {
  const severity: Severity = INFO.has(code) ? 'info' : 'error';
  return { code, severity, message, ...details };
}
