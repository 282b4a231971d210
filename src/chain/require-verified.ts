import type { Manifest } from '../digest/index.js';
import { ChainError } from '../errors.js';
import type { Finding } from './findings.js';
import type { ChainResult } from './result.js';
import { verifyModelChain, type VerifyChainOptions } from './verify-chain.js';

/** A model whose chain verified: its manifest and the evidence. */
export interface VerifiedModel {
  /** The files as they were hashed and verified, with the root digest. */
  manifest: Manifest;
  result: ChainResult;
}

/** Thrown by {@link requireVerifiedModel}; carries the whole result. */
export class ChainNotVerifiedError extends ChainError {
  readonly result: ChainResult;
  readonly findings: Finding[];

  constructor(result: ChainResult) {
    const errors = result.findings.filter((f) => f.severity === 'error');
    const first = errors[0];
    const summary = first
      ? `${first.code}: ${first.message}`
      : 'no verified step produced these files';
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    super('CHAIN_NOT_VERIFIED', `model not verified: ${summary}${more}`);
    this.result = result;
    this.findings = result.findings;
  }
}

/**
 * For a model loader, before it releases a model's runtime credentials:
 * verifies the model against the policy and returns the verified manifest,
 * or throws. Load the files named in the manifest and check their digests
 * as you read them, so that nothing changed after this call is trusted.
 *
 * @throws ChainNotVerifiedError (`CHAIN_NOT_VERIFIED`) with the findings;
 *   DigestError, StoreError or PolicyError for unreadable input.
 * @example
 * ```ts
 * const { manifest } = await requireVerifiedModel({ modelPath, policy, trustedRoot });
 * const credential = await vault.issue(manifest.rootDigest);
 * ```
 */
export async function requireVerifiedModel(
  options: Omit<VerifyChainOptions, 'manifest'>,
): Promise<VerifiedModel> {
  // Hashed inside, so that a file changed before the verdict is reported.
  const { result, manifest } = await verifyModelChain(options);
  if (!result.verified) throw new ChainNotVerifiedError(result);
  return { manifest, result };
}
