import type { HashedFile } from '../digest/index.js';
import { ProvenanceError } from '../errors.js';
import { verifyModelSignature } from '../interop/index.js';
import type { TrustedRootHandle } from '../verify/index.js';
import { sameRootDigest } from './digest-links.js';
import { finding, type Finding } from './findings.js';
import { isKeySigner } from './signer.js';
import type { ChainResult } from './result.js';

/**
 * Checks an OpenSSF Model Signing signature made beside the chain: it must
 * verify (keyless, against the same trusted root, signed by a signer of
 * the last step), cover exactly the files on disk, and name the same
 * digest as the last step's bundle subject.
 */
export async function checkOmsSignature(
  result: ChainResult,
  signaturePath: string,
  trustedRoot: TrustedRootHandle,
  alreadyHashed?: readonly HashedFile[],
): Promise<Finding[]> {
  const last = result.steps.at(-1);
  if (last === undefined) return [];
  const identity = lastStepIdentities(result.steps, last);
  let rootDigest: string;
  try {
    const verified = await verifyModelSignature(
      result.model.path,
      signaturePath,
      { kind: 'sigstore', trustedRoot, identity },
      alreadyHashed,
    );
    rootDigest = verified.rootDigest;
  } catch (error) {
    const reason =
      error instanceof ProvenanceError
        ? `${error.code}: ${error.message}`
        : 'unreadable';
    return [
      finding(
        'OMS_SIGNATURE_INVALID',
        `the model.sig does not verify: ${reason}`,
        { file: signaturePath, step: last.kind },
      ),
    ];
  }
  const pinned = last.bundle?.rootDigest;
  if (pinned !== undefined && sameRootDigest(pinned, rootDigest)) return [];
  return [
    finding(
      'OMS_SUBJECT_MISMATCH',
      `the model.sig and ${last.kind} name different bundles`,
      {
        attestation: last.attestation,
        step: last.kind,
        file: signaturePath,
        expected: last.bundle?.rootDigest ?? 'none',
        actual: rootDigest,
      },
    ),
  ];
}

/**
 * Who may have signed the model.sig: the keyless signers of the last step
 * and of its twins (same kind, same bundle). A key-signed last step's
 * model.sig is not checked here, so it fails as signed by no identity.
 */
function lastStepIdentities(
  steps: ChainResult['steps'],
  last: ChainResult['steps'][number],
) {
  const twins = steps.filter(
    (s) =>
      s.kind === last.kind && s.bundle?.rootDigest === last.bundle?.rootDigest,
  );
  return twins.flatMap((s) => (isKeySigner(s.signer) ? [] : [{ ...s.signer }]));
}
