import { digestModel, type Manifest } from '../digest/index.js';
import { namedEntries } from '../digest/named.js';
import { validatePolicy, type Policy } from '../policy/policy.js';
import { checkOrder, checkRelease } from './order.js';
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
 * 7. Check that required steps are present, that each step follows only
 *    the kinds its rule allows and the last is of a final kind, and that no
 *    step was signed before the steps it consumed.
 * 8. Check the release the policy pins: name, version, bundle digest.
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

  // 7: required steps, order of kinds, order in time.
  findings.push(...checkOrder(path, last, policy));

  // 8: the release the policy pins, if any.
  findings.push(...checkRelease(last, manifest.rootDigest, policy));

  // 9: the verdict, with what is off the path reported.
  findings.push(...offPath(loaded.nodes, path));
  return report(options, manifest, path, findings);
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
