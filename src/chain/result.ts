import type { Manifest } from '../digest/index.js';
import type { TrustedRootHandle } from '../verify/index.js';
import type { Finding, SignerRef } from './findings.js';
import type { ChainPath, InputSource } from './walk.js';

/** One step on the verified path, as a report shows it. */
export interface StepReport {
  attestation: string;
  kind: string;
  signer: SignerRef;
  /** When it was signed (transparency log or timestamp authority). */
  signedAt: string;
  builderId: string;
  parameters: Record<string, unknown>;
  inputs: {
    name: string;
    sha256: string;
    role?: string;
    from: InputSource;
  }[];
  outputs: { name: string; sha256: string }[];
}

/** The verdict of a chain verification, with its evidence. */
export interface ChainResult {
  /** True only when steps were verified and no finding is an error. */
  verified: boolean;
  model: { path: string; rootDigest: string; files: number };
  /** SHA-256 of the trusted root that signatures were checked against. */
  trustedRoot: string;
  /** Steps on the path, producers first; the last one made the files. */
  steps: StepReport[];
  findings: Finding[];
}

/** Assembles the result of a chain verification (its step 9). */
export function report(
  options: { modelPath: string; trustedRoot: TrustedRootHandle },
  manifest: Manifest,
  path: ChainPath | undefined,
  findings: Finding[],
): ChainResult {
  const steps = (path?.nodes ?? []).map((node) => {
    const sources = path?.sources.get(node.id) ?? [];
    return {
      attestation: node.id,
      kind: node.step.kind,
      signer: node.signer,
      signedAt: node.signedAt.toISOString(),
      builderId: node.step.builderId,
      parameters: node.step.parameters,
      inputs: node.step.inputs.map((input, i) => ({
        ...input,
        from: sources[i] ?? { kind: 'unresolved' as const },
      })),
      outputs: node.step.outputs.map(({ name, sha256 }) => ({ name, sha256 })),
    };
  });
  const failed = findings.some((f) => f.severity === 'error');
  return {
    verified: steps.length > 0 && !failed,
    model: {
      path: options.modelPath,
      rootDigest: manifest.rootDigest,
      files: manifest.entries.length,
    },
    trustedRoot: options.trustedRoot.digest,
    steps,
    findings,
  };
}
