import { digestModel, type Manifest } from '../digest/index.js';
import { namedEntries } from '../digest/named.js';
import { validatePolicy, type Policy } from '../policy/policy.js';
import { AttestationStore } from '../store/store.js';
import type { TrustedRootHandle } from '../verify/index.js';
import { compareWithDisk, findLastStep } from './disk.js';
import { finding, type Finding } from './findings.js';
import { loadChain, type ChainNode } from './load.js';
import { report, type ChainResult } from './result.js';
import { walkBack, type ChainPath } from './walk.js';

/** What to verify and against what. */
export interface VerifyChainOptions {
  /** The model bundle folder (or single file) being deployed. */
  modelPath: string;
  policy: Policy;
  trustedRoot: TrustedRootHandle;
  /** Defaults to the store inside the model folder. */
  store?: AttestationStore;
  /** Digests already computed for the model; skips hashing. */
  manifest?: Manifest;
}

/**
 * Verifies the chain of attestations behind a model bundle.
 *
 * 1. Load every attestation in the store, as hostile bytes.
 * 2. Verify each with Sigstore against the trusted root.
 * 3. Parse the verified payload bytes as a step statement.
 * 4. Match each signer to the policy's rule for its step kind.
 * 5. Hash the bundle and find the last step, whose outputs the files are;
 *    compare the files with those outputs.
 * 6. Walk back through the inputs to the steps that produced them, until
 *    policy roots; report gaps, untrusted producers, conflicts, cycles.
 * 7. Check that required steps are present and that no step was signed
 *    before the steps it consumed.
 * 8. Release checks (name and version to digest) are not made yet.
 * 9. Return the verdict with the steps on the path and every finding.
 *
 * The verdict holds only when at least one step was verified and no finding
 * is an error: a verifier that is unsure says no.
 *
 * @throws DigestError when the model cannot be hashed;
 *   StoreError when the store cannot be read.
 * @example
 * ```ts
 * const result = await verifyChain({ modelPath: 'model', policy, trustedRoot });
 * if (!result.verified) throw new Error(result.findings[0]?.message);
 * ```
 */
export async function verifyChain(
  options: VerifyChainOptions,
): Promise<ChainResult> {
  // A policy built by hand gets the same checks as one read from a file.
  const policy = validatePolicy(options.policy);
  const store = options.store ?? AttestationStore.forModel(options.modelPath);

  // 1-4: load, verify, parse, match signers.
  const entries = await store.list();
  const loaded = await loadChain(entries, options.trustedRoot, policy);
  const findings: Finding[] = [...loaded.findings];

  // 5: the files on disk against the last step's outputs.
  const manifest = options.manifest ?? (await digestModel(options.modelPath));
  const files = namedEntries(options.modelPath, manifest);
  const last = findLastStep(loaded.nodes, files);
  if (last === undefined) {
    const message =
      entries.length === 0
        ? 'the store holds no attestation for this model'
        : 'no trusted attestation produced the files of this model';
    findings.push(finding('NO_ATTESTATION_FOR_MODEL', message));
    return report(options, manifest, undefined, findings);
  }
  findings.push(...compareWithDisk(last, files, manifest.rootDigest));

  // 6: back through the inputs to the roots.
  const path = walkBack(last, loaded.nodes, policy);
  findings.push(...path.findings);

  // 7: required steps, and order in time.
  findings.push(...checkRequired(path, policy));
  findings.push(...checkTimes(path));
  findings.push(...offPath(loaded.nodes, path));

  // 8 is future work; 9: the verdict.
  return report(options, manifest, path, findings);
}

function checkRequired(path: ChainPath, policy: Policy): Finding[] {
  const present = new Set(path.nodes.map((n) => n.step.kind));
  return Object.entries(policy.steps)
    .filter(([kind, rule]) => rule.required && !present.has(kind))
    .map(([kind]) =>
      finding('STEP_MISSING', `required step ${kind} is not in the chain`, {
        step: kind,
      }),
    );
}

function checkTimes(path: ChainPath): Finding[] {
  const byId = new Map(path.nodes.map((n) => [n.id, n]));
  const findings: Finding[] = [];
  for (const node of path.nodes) {
    for (const source of path.sources.get(node.id) ?? []) {
      if (source.kind !== 'step') continue;
      const producer = byId.get(source.attestation);
      if (producer && node.signedAt < producer.signedAt) {
        findings.push(signedTooEarly(node, producer));
      }
    }
  }
  return findings;
}

function signedTooEarly(node: ChainNode, producer: ChainNode): Finding {
  const message =
    `${node.step.kind} was signed at ${node.signedAt.toISOString()}, ` +
    `before ${producer.step.kind} (${producer.signedAt.toISOString()}) ` +
    `whose output it consumes`;
  return finding('STEP_BEFORE_INPUT', message, {
    attestation: node.id,
    step: node.step.kind,
    signer: node.signer,
  });
}

function offPath(nodes: readonly ChainNode[], path: ChainPath): Finding[] {
  const on = new Set(path.nodes.map((n) => n.id));
  return nodes
    .filter((n) => n.trusted && !on.has(n.id))
    .map((n) =>
      finding(
        'ATTESTATION_OFF_PATH',
        `${n.step.kind} is not on the path to these files: reported, not trusted`,
        { attestation: n.id, step: n.step.kind, signer: n.signer },
      ),
    );
}
