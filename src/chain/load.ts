import { ProvenanceError } from '../errors.js';
import { parseStrictJsonBytes } from '../json/strict.js';
import type { Policy } from '../policy/policy.js';
import { parseStatement, PAYLOAD_TYPE } from '../statement/index.js';
import { readStep, type StepView } from '../steps/index.js';
import type { StoredAttestation } from '../store/store.js';
import {
  matchesIdentity,
  verifyAttestation,
  type TrustedRootHandle,
} from '../verify/index.js';
import { finding, type Finding, type SignerRef } from './findings.js';

/** Bundles nest about eight levels deep; anything far deeper is hostile. */
const MAX_BUNDLE_DEPTH = 32;

/** An attestation whose signature verified and whose statement parsed. */
export interface ChainNode {
  /** Store id: SHA-256 of the bundle bytes. */
  id: string;
  step: StepView;
  signer: SignerRef;
  signedAt: Date;
  /** Whether the policy allows this signer for this step kind. */
  trusted: boolean;
}

/** Nodes that could be read, and findings for those that could not. */
export interface LoadedChain {
  nodes: ChainNode[];
  findings: Finding[];
}

/**
 * Steps 1 to 4 of chain verification for every stored attestation: parse,
 * verify the signature, parse the verified payload, match the signer.
 */
export async function loadChain(
  entries: readonly StoredAttestation[],
  root: TrustedRootHandle,
  policy: Policy,
): Promise<LoadedChain> {
  const results = await Promise.all(
    entries.map((entry) => loadOne(entry, root, policy)),
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

async function loadOne(
  entry: StoredAttestation,
  root: TrustedRootHandle,
  policy: Policy,
): Promise<LoadResult> {
  const attestation = entry.id;
  let json: unknown;
  try {
    json = parseStrictJsonBytes(entry.bytes, MAX_BUNDLE_DEPTH);
  } catch {
    const message = 'attestation is not strict UTF-8 JSON';
    return fail(finding('ATTESTATION_MALFORMED', message, { attestation }));
  }

  let verified;
  try {
    verified = await verifyAttestation(json, root);
  } catch (error) {
    const code =
      error instanceof ProvenanceError &&
      error.code === 'VERIFY_BUNDLE_MALFORMED'
        ? 'ATTESTATION_MALFORMED'
        : 'ATTESTATION_UNVERIFIED';
    const message =
      code === 'ATTESTATION_MALFORMED'
        ? `not a Sigstore bundle: ${describe(error)}`
        : `signature does not verify against this trusted root ` +
          `(signed under another?): ${describe(error)}`;
    return fail(finding(code, message, { attestation }));
  }
  const signer = verified.signer;

  let step: StepView;
  try {
    if (verified.payloadType !== PAYLOAD_TYPE) {
      throw new Error(`payload type ${JSON.stringify(verified.payloadType)}`);
    }
    step = readStep(parseStatement(verified.payload));
  } catch (error) {
    const message = `signed payload is not a step statement: ${describe(error)}`;
    return fail(finding('STATEMENT_INVALID', message, { attestation, signer }));
  }

  const node = { id: attestation, step, signer, signedAt: verified.signedAt };
  return checkSigner(node, policy);
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
  if (!rule.signers.some((r) => matchesIdentity(node.signer, r))) {
    const message =
      `${node.step.kind} signed by ${node.signer.identity} ` +
      `(issuer ${node.signer.issuer}), which the policy does not allow`;
    const f = finding('SIGNER_NOT_ALLOWED', message, {
      ...where,
      signer: node.signer,
    });
    return { node: { ...node, trusted: false }, findings: [f] };
  }
  return { node: { ...node, trusted: true }, findings: [] };
}

function fail(f: Finding): LoadResult {
  return { findings: [f] };
}

/** The innermost reason: a wrapper's message only repeats its cause's. */
function describe(error: unknown): string {
  let reason: unknown = error;
  while (reason instanceof Error && reason.cause instanceof Error) {
    reason = reason.cause;
  }
  return reason instanceof Error ? reason.message : 'unknown error';
}
