import { digestModel, type Manifest } from '../digest/index.js';
import { namedEntries } from '../digest/named.js';
import { validatePolicy, type Policy } from '../policy/policy.js';
import { ManifestStore } from '../store/manifests.js';
import { AttestationStore } from '../store/store.js';
import type { TrustedRootHandle } from '../verify/index.js';
import { analyzeChain } from './analyze.js';
import { loadChain } from './load.js';
import { checkOmsSignature } from './oms-link.js';
import type { ChainResult } from './result.js';

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
  /**
   * An OpenSSF Model Signing signature (model.sig) of the same bundle, by a
   * signer of the last step: it must verify and name the same digest.
   */
  omsSignature?: string;
}

/**
 * Verifies the chain of attestations behind a model bundle.
 *
 * 1. Load every attestation in the store, as hostile bytes.
 * 2. Verify each with Sigstore against the trusted root; a key-signed one
 *    with the policy's keys (a log entry required unless allowUnlogged).
 * 3. Parse the verified payload bytes as a step statement.
 * 4. Match each signer (identity, or key id) to the policy's rule for its
 *    step kind.
 * 5. Hash the bundle and find the last step, whose outputs the files are;
 *    compare the files with those outputs.
 * 6. Walk back through the inputs to the steps that produced them, until
 *    policy roots; report gaps, untrusted producers, conflicts, cycles.
 * 7. Check that required steps are present, that steps needing k signers
 *    have k distinct ones, that each step follows only the kinds its rule
 *    allows and the last is of a final kind, and that no step was signed
 *    before the steps it consumed.
 * 8. Check the release the policy pins: name, version, bundle digest.
 * 9. Return the verdict with the steps on the path and every finding.
 *
 * With `omsSignature`, an OpenSSF Model Signing model.sig is checked beside
 * the chain: it must name the same bundle as the last step.
 *
 * The verdict holds only when at least one step was verified and no finding
 * is an error: a verifier that is unsure says no.
 *
 * @throws PolicyError when the policy is invalid; DigestError when the model
 *   cannot be hashed; StoreError when the store cannot be read.
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
  const trustedRoot = options.trustedRoot;
  const store =
    options.store ?? (await AttestationStore.forPath(options.modelPath));

  // 1-4: load, verify, parse, match signers.
  const entries = await store.list();
  const manifests = ManifestStore.beside(store);
  const loaded = await loadChain(entries, trustedRoot, policy, manifests);

  // 5-9: hash the bundle, then analyze the chain against it.
  const manifest = options.manifest ?? (await digestModel(options.modelPath));
  const result = analyzeChain({
    loaded,
    stored: entries.length,
    files: namedEntries(options.modelPath, manifest),
    rootDigest: manifest.rootDigest,
    policy,
    modelPath: options.modelPath,
    trustedRoot: options.trustedRoot.digest,
  });
  if (options.omsSignature === undefined) return result;
  const oms = await checkOmsSignature(
    result,
    options.omsSignature,
    options.trustedRoot,
  );
  const findings = [...result.findings, ...oms];
  return { ...result, findings, verified: result.verified && oms.length === 0 };
}
