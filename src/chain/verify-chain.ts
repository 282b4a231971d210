import {
  digestModel,
  type Manifest,
  type ProgressCallback,
} from '../digest/index.js';
import { namedEntries } from '../digest/named.js';
import { DigestError } from '../errors.js';
import { validatePolicy, type Policy } from '../policy/policy.js';
import { ManifestStore } from '../store/manifests.js';
import { AttestationStore } from '../store/store.js';
import type { TrustedRootHandle } from '../verify/index.js';
import { analyzeChain } from './analyze.js';
import { finding, type Finding } from './findings.js';
import { loadChain } from './load.js';
import {
  emptyManifest,
  emptyModelFinding,
  recheckModel,
  stampModel,
  type ModelStamps,
} from './model-files.js';
import { checkOmsSignature } from './oms-link.js';
import { report, type ChainResult } from './result.js';

/** What to verify and against what. */
export interface VerifyChainOptions {
  /** The model bundle folder (or single file) being deployed. */
  modelPath: string;
  policy: Policy;
  trustedRoot: TrustedRootHandle;
  /** Where the root came from, named in the result (e.g. its file). */
  trustedRootSource?: string;
  /** Defaults to the store inside the model folder. */
  store?: AttestationStore;
  /** Digests already computed for the model; skips hashing. */
  manifest?: Manifest;
  /**
   * An OpenSSF Model Signing signature (model.sig) of the same bundle, by a
   * signer of the last step: it must verify and name the same digest.
   */
  omsSignature?: string;
  /** Progress of hashing the model, in bytes (not called with `manifest`). */
  onProgress?: ProgressCallback;
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
 * 5. Stat every file of the bundle, hash it, and find the last step, whose
 *    outputs the files are; compare the files with those outputs. A model
 *    with no file to verify is a failure (`MODEL_EMPTY`,
 *    `MODEL_ALL_FILES_IGNORED`), never a pass.
 * 6. Walk back through the inputs to the steps that produced them, until
 *    policy roots; report gaps, untrusted producers, conflicts, cycles.
 * 7. Check that required steps are present, that steps needing k signers
 *    have k distinct ones, that each step follows only the kinds its rule
 *    allows and the last is of a final kind, and that no step was signed
 *    before the steps it consumed.
 * 8. Check the release the policy pins: name, version, bundle digest.
 * 9. Return the verdict with the steps on the path and every finding,
 *    after stat'ing the files again: a file that changed since it was
 *    hashed (size, times, inode) is `FILE_CHANGED_DURING_VERIFICATION`.
 *
 * With `omsSignature`, an OpenSSF Model Signing model.sig is checked beside
 * the chain: it must name the same bundle as the last step.
 *
 * The verdict holds only when at least one step was verified and no finding
 * is an error: a verifier that is unsure says no.
 *
 * @throws PolicyError when the policy is invalid; DigestError when the model
 *   cannot be hashed (an unreadable, linked or special file; a model with
 *   no file is a finding instead); StoreError when the store cannot be
 *   read.
 * @example
 * ```ts
 * const result = await verifyChain({ modelPath: 'model', policy, trustedRoot });
 * if (!result.verified) throw new Error(result.findings[0]?.message);
 * ```
 */
export async function verifyChain(
  options: VerifyChainOptions,
): Promise<ChainResult> {
  return (await verifyModelChain(options)).result;
}

/** A verdict and the manifest (files and digests) it is about. */
export interface VerifiedChain {
  result: ChainResult;
  manifest: Manifest;
}

/**
 * {@link verifyChain}, also returning the manifest that was verified.
 *
 * @throws as {@link verifyChain} does.
 */
export async function verifyModelChain(
  options: VerifyChainOptions,
): Promise<VerifiedChain> {
  // A policy built by hand gets the same checks as one read from a file.
  const policy = validatePolicy(options.policy);
  const trustedRoot = options.trustedRoot;
  const store =
    options.store ?? (await AttestationStore.forPath(options.modelPath));

  // 1-4: load, verify, parse, match signers.
  const entries = await store.list();
  const manifests = ManifestStore.beside(store);
  const loaded = await loadChain(entries, trustedRoot, policy, manifests);

  // 5: stat, then hash the bundle; 5-9: analyze the chain against it.
  const hashed = await hashModel(options);
  const input = {
    loaded,
    stored: entries.length,
    files: namedEntries(options.modelPath, hashed.manifest),
    rootDigest: hashed.manifest.rootDigest,
    policy,
    modelPath: options.modelPath,
    trustedRoot: options.trustedRoot.digest,
    ...(options.trustedRootSource !== undefined && {
      trustedRootSource: options.trustedRootSource,
    }),
  };
  let result = hashed.empty
    ? report(input, undefined, [...loaded.findings, hashed.empty])
    : analyzeChain(input);
  if (options.omsSignature !== undefined && !hashed.empty) {
    // The files just hashed are not read again; the recheck below covers
    // them. Digests a caller gave (`manifest`) are not reused.
    const oms = await checkOmsSignature(
      result,
      options.omsSignature,
      options.trustedRoot,
      hashed.stamps === undefined ? undefined : hashed.manifest.entries,
    );
    result = withFindings(result, oms);
  }

  // 9, last: the files must still be what was hashed.
  if (hashed.stamps !== undefined) {
    const changes = await recheckModel(
      options.modelPath,
      hashed.stamps,
      hashed.manifest,
    );
    result = withFindings(result, changes);
  }
  return { result, manifest: hashed.manifest };
}

interface Hashed {
  manifest: Manifest;
  /** Absent when the caller gave the digests: nothing was read. */
  stamps?: ModelStamps;
  /** Why there is nothing to verify, if so. */
  empty?: Finding;
}

async function hashModel(options: VerifyChainOptions): Promise<Hashed> {
  const given = options.manifest;
  if (given !== undefined) {
    if (given.entries.length > 0) return { manifest: given };
    const message = 'the manifest given lists no file: nothing to verify';
    return { manifest: given, empty: finding('MODEL_EMPTY', message) };
  }
  const stamps = await stampModel(options.modelPath);
  if (stamps.size === 0) {
    const empty = await emptyModelFinding(options.modelPath);
    return { manifest: emptyManifest(), stamps, empty };
  }
  const { onProgress } = options;
  try {
    const manifest = await digestModel(
      options.modelPath,
      onProgress ? { onProgress } : {},
    );
    return { manifest, stamps };
  } catch (error) {
    // Every file went away after the stat: the recheck reports each one.
    if (!(error instanceof DigestError)) throw error;
    if (error.code !== 'DIGEST_EMPTY_MODEL') throw error;
    const message = 'the model holds no file: nothing to verify';
    return {
      manifest: emptyManifest(),
      stamps,
      empty: finding('MODEL_EMPTY', message),
    };
  }
}

/** The result with more error findings: they fail the verdict. */
function withFindings(result: ChainResult, more: Finding[]): ChainResult {
  if (more.length === 0) return result;
  return {
    ...result,
    findings: [...result.findings, ...more],
    verified: false,
  };
}
