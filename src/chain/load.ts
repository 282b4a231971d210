import { ProvenanceError } from '../errors.js';
import { parseStrictJsonBytes } from '../json/strict.js';
import type { Policy } from '../policy/policy.js';
import { isKeyRule } from '../policy/signers.js';
import { parseStatement, PAYLOAD_TYPE } from '../statement/index.js';
import { readStep, type StepView } from '../steps/index.js';
// Each from its own module, not the index: this file is part of the
// browser core (src/core), and the index also brings Node's file hashing.
import { verifyAttestation } from '../verify/attestation.js';
import type { AttestationKeyOptions } from '../verify/attestation-key.js';
import { loadPublicKey } from '../verify/public-key.js';
import type { TrustedRootHandle } from '../verify/trusted-root.js';
import { finding, type Finding } from './findings.js';
import {
  cachedManifestSource,
  expandManifests,
  type ManifestSource,
} from './manifest-subject.js';
import { describeSigner, signerAllowed, type SignerRef } from './signer.js';
import { describe, unverifiedFinding } from './unverified.js';

/** Bundles nest about eight levels deep; anything far deeper is hostile. */
const MAX_BUNDLE_DEPTH = 32;

/** An attestation whose signature verified and whose statement parsed. */
export interface ChainNode {
  /** Store id: SHA-256 of the bundle bytes. */
  id: string;
  step: StepView;
  signer: SignerRef;
  /** Absent for a key-signed step with no log entry (`allowUnlogged`). */
  signedAt?: Date;
  /** Whether the policy allows this signer for this step kind. */
  trusted: boolean;
}

/** One attestation as read from a store or given in memory. */
export interface AttestationBytes {
  /** SHA-256 of the bytes, lower-case hex. */
  id: string;
  bytes: Uint8Array;
}

/** Nodes that could be read, and findings for those that could not. */
export interface LoadedChain {
  nodes: ChainNode[];
  findings: Finding[];
}

/**
 * Steps 1 to 4 of chain verification for every stored attestation: parse,
 * verify the signature, parse the verified payload (expanding the manifests
 * it names from `manifests`), match the signer. A key-signed attestation is
 * verified with the policy's keys, and its signer is the key that verified
 * it.
 */
export async function loadChain(
  entries: readonly AttestationBytes[],
  root: TrustedRootHandle,
  policy: Policy,
  manifests?: ManifestSource,
): Promise<LoadedChain> {
  const keys = policyKeys(policy);
  const source = manifests && cachedManifestSource(manifests);
  const results = await Promise.all(
    entries.map((entry) => loadOne(entry, root, policy, keys, source)),
  );
  const nodes: ChainNode[] = [];
  const findings: Finding[] = [];
  for (const result of results) {
    if (result.node) nodes.push(result.node);
    findings.push(...result.findings);
  }
  return { nodes, findings };
}

interface LoadResult {
  node?: ChainNode;
  findings: Finding[];
}

/** Every key the policy names, once, and whether logs may be missing. */
function policyKeys(policy: Policy): AttestationKeyOptions {
  const pems = new Map<string, string>();
  for (const rule of Object.values(policy.steps)) {
    for (const signer of rule.signers) {
      if (isKeyRule(signer)) pems.set(signer.keyId, signer.publicKey);
    }
  }
  return {
    keys: [...pems.values()].map(loadPublicKey),
    allowUnlogged: policy.allowUnlogged === true,
  };
}

async function loadOne(
  entry: AttestationBytes,
  root: TrustedRootHandle,
  policy: Policy,
  keys: AttestationKeyOptions,
  manifests: ManifestSource | undefined,
): Promise<LoadResult> {
  const attestation = entry.id;
  if (isBlank(entry.bytes)) {
    const message = 'attestation file is empty';
    return fail(finding('ATTESTATION_EMPTY', message, { attestation }));
  }
  let json: unknown;
  try {
    json = parseStrictJsonBytes(entry.bytes, MAX_BUNDLE_DEPTH);
  } catch {
    const message = 'attestation is not strict UTF-8 JSON';
    return fail(finding('ATTESTATION_MALFORMED', message, { attestation }));
  }

  let verified;
  try {
    verified = await verifyAttestation(json, root, keys);
  } catch (error) {
    return fail(unverifiedFinding(error, attestation, json, keys));
  }
  const signer = verified.signer;
  const step = readSignedStep(verified, attestation);
  if ('finding' in step) return fail(step.finding);

  const checked = checkSigner(
    {
      id: attestation,
      step,
      signer,
      ...(verified.signedAt && { signedAt: verified.signedAt }),
    },
    policy,
  );
  // Manifests (up to 256 MiB each) are read for trusted signers only, so
  // that any Sigstore identity cannot make the verifier read and hash them.
  if (checked.node?.trusted !== true) return checked;
  const expanded = await expandManifests(step, manifests, {
    attestation,
    signer,
  });
  if ('finding' in expanded) return fail(expanded.finding);
  return { ...checked, node: { ...checked.node, step: expanded.step } };
}

/** Step 3: the very payload bytes that were verified, as a step. */
function readSignedStep(
  verified: { payloadType: string; payload: Uint8Array; signer: SignerRef },
  attestation: string,
): StepView | { finding: Finding } {
  try {
    if (verified.payloadType !== PAYLOAD_TYPE) {
      throw new Error(`payload type ${JSON.stringify(verified.payloadType)}`);
    }
    return readStep(parseStatement(verified.payload));
  } catch (error) {
    const code =
      error instanceof ProvenanceError &&
      (error as ProvenanceError).code === 'STATEMENT_NO_SUBJECT'
        ? 'STATEMENT_NO_SUBJECT'
        : 'STATEMENT_INVALID';
    const message = `signed payload is not a step statement: ${describe(error)}`;
    const signer = verified.signer;
    return { finding: finding(code, message, { attestation, signer }) };
  }
}

function checkSigner(
  node: Omit<ChainNode, 'trusted'>,
  policy: Policy,
): LoadResult {
  const where = { attestation: node.id, step: node.step.kind };
  // An own property only: a kind named "constructor" is no rule.
  const rule = Object.hasOwn(policy.steps, node.step.kind)
    ? policy.steps[node.step.kind]
    : undefined;
  if (rule === undefined) {
    const message = `step kind "${node.step.kind}" is not in the policy`;
    const f = finding('STEP_KIND_NOT_ALLOWED', message, {
      ...where,
      signer: node.signer,
    });
    return { node: { ...node, trusted: false }, findings: [f] };
  }
  if (!rule.signers.some((r) => signerAllowed(node.signer, r))) {
    const message =
      `${node.step.kind} signed by ${describeSigner(node.signer)}, ` +
      `which the policy does not allow`;
    const f = finding('SIGNER_NOT_ALLOWED', message, {
      ...where,
      signer: node.signer,
    });
    return { node: { ...node, trusted: false }, findings: [f] };
  }
  return { node: { ...node, trusted: true }, findings: [] };
}

/** No bytes, or JSON white space only: a file with nothing in it. */
function isBlank(bytes: Uint8Array): boolean {
  return bytes.every(
    (b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d,
  );
}

function fail(f: Finding): LoadResult {
  return { findings: [f] };
}
