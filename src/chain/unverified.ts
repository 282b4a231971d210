import { ProvenanceError } from '../errors.js';
import { parseStatement } from '../statement/index.js';
import { readStep } from '../steps/index.js';
import type { AttestationKeyOptions } from '../verify/attestation-key.js';
import { finding, type Finding } from './findings.js';

/** Codes that say the bytes are no bundle this library reads. */
const NOT_A_BUNDLE: ReadonlySet<string> = new Set([
  'VERIFY_BUNDLE_MALFORMED',
  'VERIFY_BUNDLE_UNSUPPORTED',
]);

/**
 * The finding for an attestation whose signature did not verify (step 2):
 * malformed, signed by a key the policy does not list, unlogged where a
 * log is required, or not verifiable against the trusted root.
 *
 * @param error - What verification threw.
 * @param attestation - The attestation's store id.
 * @param json - The bundle, read only to name the step an unknown key claims.
 * @param keys - The policy's keys and whether logs may be missing.
 * @returns One finding.
 */
export function unverifiedFinding(
  error: unknown,
  attestation: string,
  json: unknown,
  keys: AttestationKeyOptions,
): Finding {
  if (isCode(error, 'VERIFY_KEY_MISMATCH')) {
    return unknownKey(attestation, json);
  }
  if (NOT_A_BUNDLE.has(codeOf(error))) {
    const message = `not a Sigstore bundle: ${describe(error)}`;
    return finding('ATTESTATION_MALFORMED', message, { attestation });
  }
  const offline =
    !keys.allowUnlogged &&
    (isCode(error, 'VERIFY_TLOG_FAILED') ||
      isCode(error, 'VERIFY_TIMESTAMP_FAILED'));
  const message = offline
    ? `key-signed attestation has no valid transparency-log entry or ` +
      `signed time, which the policy requires (allowUnlogged is not set): ` +
      describe(error)
    : `signature does not verify against this trusted root ` +
      `(signed under another?): ${describe(error)}`;
  return finding('ATTESTATION_UNVERIFIED', message, { attestation });
}

function isCode(error: unknown, code: string): boolean {
  return codeOf(error) === code;
}

function codeOf(error: unknown): string {
  return error instanceof ProvenanceError
    ? (error as ProvenanceError).code
    : '';
}

/**
 * A key-signed attestation that no key of the policy verifies. Its step
 * kind is read from the unverified payload only to say where the problem
 * lies; nothing else of it is used, and the message says it is a claim.
 */
function unknownKey(attestation: string, json: unknown): Finding {
  const kind = claimedKind(json);
  const message =
    `signed with a key the policy does not list: no allowed key ` +
    `verifies it` +
    (kind ? ` (it claims to be a ${kind} step)` : '');
  // The claimed kind stays in the message: tools read `step` as a fact.
  return finding('SIGNER_NOT_ALLOWED', message, { attestation });
}

function claimedKind(json: unknown): string | undefined {
  try {
    const envelope = (json as { dsseEnvelope: { payload: string } })
      .dsseEnvelope;
    const payload = Buffer.from(envelope.payload, 'base64');
    return readStep(parseStatement(payload)).kind;
  } catch {
    return undefined;
  }
}

/** The innermost reason: a wrapper's message only repeats its cause's. */
export function describe(error: unknown): string {
  let reason: unknown = error;
  while (reason instanceof Error && reason.cause instanceof Error) {
    reason = reason.cause;
  }
  return reason instanceof Error ? reason.message : 'unknown error';
}
