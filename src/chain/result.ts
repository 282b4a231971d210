import type { DiskFile } from './disk.js';
import type { Finding, SignerRef } from './findings.js';
import type { ChainNode } from './load.js';
import type { ChainPath, InputSource } from './walk.js';

/** One step on the verified path, as a report shows it. */
export interface StepReport {
  attestation: string;
  kind: string;
  signer: SignerRef;
  /**
   * When it was signed (transparency log or timestamp authority); absent
   * for a key-signed step with no log entry, which the policy allowed.
   */
  signedAt?: string;
  builderId: string;
  parameters: Record<string, unknown>;
  inputs: {
    name: string;
    sha256: string;
    role?: string;
    from: InputSource;
  }[];
  outputs: { name: string; sha256: string }[];
  /** The bundle subject: the outputs' root digest, as OpenSSF Model Signing makes it. */
  bundle?: { name: string; rootDigest: string };
}

/** One file of the bundle, compared with the chain. */
export interface FileReport {
  name: string;
  status: 'ok' | 'modified' | 'unattested' | 'missing';
  /** Digest on disk (absent when missing). */
  sha256?: string;
  /** Digest the last step says the file has (absent when unattested). */
  expected?: string;
  /** The step on the path that made the expected content. */
  producedBy?: { attestation: string; kind: string };
}

/** The verdict of a chain verification, with its evidence. */
export interface ChainResult {
  /** True only when steps were verified and no finding is an error. */
  verified: boolean;
  model: { path: string; rootDigest: string; files: number };
  /** Digest of the trusted root that signatures were checked against. */
  trustedRoot: string;
  /**
   * Where that root came from (a file, the embedded public-good root),
   * when the caller said: a forgotten `--trusted-root` shows here.
   */
  trustedRootSource?: string;
  /** Steps on the path, producers first; the last one made the files. */
  steps: StepReport[];
  /** Every file on disk or expected by the last step, with its status. */
  files: FileReport[];
  findings: Finding[];
}

/** Assembles the result of a chain verification (its step 9). */
export function report(
  input: {
    modelPath: string;
    trustedRoot: string;
    trustedRootSource?: string;
    rootDigest: string;
    files: readonly DiskFile[];
  },
  chain: { path: ChainPath; last: ChainNode } | undefined,
  findings: Finding[],
): ChainResult {
  const steps = (chain?.path.nodes ?? []).map((node) =>
    stepReport(node, chain?.path.sources.get(node.id) ?? []),
  );
  const failed = findings.some((f) => f.severity === 'error');
  return {
    verified: steps.length > 0 && !failed,
    model: {
      path: input.modelPath,
      rootDigest: input.rootDigest,
      files: input.files.length,
    },
    trustedRoot: input.trustedRoot,
    ...(input.trustedRootSource !== undefined && {
      trustedRootSource: input.trustedRootSource,
    }),
    steps,
    files: fileReports(input.files, chain),
    findings,
  };
}

function stepReport(node: ChainNode, sources: InputSource[]): StepReport {
  return {
    attestation: node.id,
    kind: node.step.kind,
    signer: node.signer,
    ...(node.signedAt && { signedAt: node.signedAt.toISOString() }),
    builderId: node.step.builderId,
    parameters: node.step.parameters,
    inputs: node.step.inputs.map(({ name, sha256, role }, i) => ({
      name,
      sha256,
      ...(role === undefined ? {} : { role }),
      from: sources[i] ?? { kind: 'unresolved' as const },
    })),
    outputs: node.step.outputs.map(({ name, sha256 }) => ({ name, sha256 })),
    ...(node.step.bundle ? { bundle: node.step.bundle } : {}),
  };
}

function fileReports(
  files: readonly DiskFile[],
  chain: { path: ChainPath; last: ChainNode } | undefined,
): FileReport[] {
  const expected = new Map(
    (chain?.last.step.outputs ?? []).map((o) => [o.name, o.sha256]),
  );
  const maker = originators(chain?.path.nodes ?? []);
  const producedBy = (digest: string | undefined) => {
    const node = digest === undefined ? undefined : maker.get(digest);
    return node
      ? { producedBy: { attestation: node.id, kind: node.step.kind } }
      : {};
  };
  const reports: FileReport[] = files.map((file) => {
    const want = expected.get(file.name);
    expected.delete(file.name);
    if (want === undefined) {
      return { name: file.name, status: 'unattested', sha256: file.sha256 };
    }
    const status = want === file.sha256 ? 'ok' : 'modified';
    return {
      name: file.name,
      status,
      sha256: file.sha256,
      expected: want,
      ...producedBy(want),
    };
  });
  for (const [name, want] of expected) {
    reports.push({
      name,
      status: 'missing',
      expected: want,
      ...producedBy(want),
    });
  }
  return reports;
}

/** For each digest, the step on the path that made it without consuming it. */
function originators(nodes: readonly ChainNode[]): Map<string, ChainNode> {
  const made = new Map<string, ChainNode>();
  for (const node of nodes) {
    const consumed = new Set(node.step.inputs.map((i) => i.sha256));
    for (const output of node.step.outputs) {
      if (!consumed.has(output.sha256) && !made.has(output.sha256)) {
        made.set(output.sha256, node);
      }
    }
  }
  return made;
}
