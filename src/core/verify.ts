import { analyzeChain } from '../chain/analyze.js';
import { loadChain } from '../chain/load.js';
import type { ChainResult } from '../chain/result.js';
import { validatePolicy, type Policy } from '../policy/policy.js';
import {
  trustMaterialOf,
  type TrustedRootHandle,
} from '../verify/trusted-root.js';
import {
  readBundles,
  readFiles,
  readManifests,
  type BundleInput,
  type FileDigests,
} from './inputs.js';

/** What to verify, all in memory, and against what. */
export interface InMemoryChainOptions {
  /** Every attestation that may belong to the chain, as stored. */
  bundles: readonly BundleInput[];
  /** The files being deployed and their SHA-256 digests. */
  files: FileDigests;
  /** The policy, as an object (see `parsePolicy` for YAML or JSON text). */
  policy: Policy;
  /** From `loadTrustedRoot`. */
  trustedRoot: TrustedRootHandle;
  /**
   * The manifests that steps of large models name in place of their file
   * lists (the store's `manifests` folder), as bytes or text.
   */
  manifests?: readonly BundleInput[];
  /** How the result names the model; default `model`. */
  modelName?: string;
}

/**
 * Verifies the chain of attestations behind a model from bundles and file
 * digests held in memory: the same steps 2 to 9 as `verifyChain`, with the
 * same result, and no file system, no Node built-in and no network. It runs
 * in a browser, a web worker or an edge runtime.
 *
 * 1. Name each bundle by the SHA-256 of its bytes, as the store does.
 * 2. Verify each with Sigstore against the trusted root.
 * 3. Parse the verified payload bytes as a step statement.
 * 4. Match each signer to the policy's rule for its step kind.
 * 5-9. Find the last step from the file digests, walk back to the roots,
 *    check order, time and release, and return the verdict.
 *
 * An OpenSSF Model Signing model.sig is not checked here (Node only).
 *
 * @throws PolicyError `POLICY_INVALID` for an invalid policy; DigestError
 *   `DIGEST_EMPTY_MODEL`, `DIGEST_BAD_PATH` or `DIGEST_MALFORMED` for bad
 *   file digests or manifests; VerifyError `VERIFY_TRUSTED_ROOT_INVALID`
 *   for a trusted root not made by `loadTrustedRoot`,
 *   `VERIFY_BUNDLE_MALFORMED` for a bundle that is neither bytes nor text.
 *   A bundle or manifest that does not verify is a finding, not an error.
 * @example
 * ```ts
 * import { loadTrustedRoot, verifyChainInMemory } from 'model-provenance/core';
 *
 * const result = await verifyChainInMemory({
 *   bundles: [bundleText],
 *   files: { 'model.safetensors': sha256Hex },
 *   policy,
 *   trustedRoot: loadTrustedRoot(trustedRootJson),
 * });
 * if (!result.verified) show(result.findings);
 * ```
 */
export async function verifyChainInMemory(
  options: InMemoryChainOptions,
): Promise<ChainResult> {
  const policy = validatePolicy(options.policy);
  trustMaterialOf(options.trustedRoot);
  const { files, rootDigest } = readFiles(options.files);
  const { entries, findings } = readBundles(options.bundles);

  // 2-4: verify, parse, match signers.
  const manifests = readManifests(options.manifests);
  const loaded = await loadChain(
    entries,
    options.trustedRoot,
    policy,
    manifests,
  );

  // 5-9: the chain against the file digests.
  return analyzeChain({
    loaded: {
      nodes: loaded.nodes,
      findings: [...findings, ...loaded.findings],
    },
    stored: entries.length + findings.length,
    files,
    rootDigest,
    policy,
    modelPath: options.modelName ?? 'model',
    trustedRoot: options.trustedRoot.digest,
  });
}
