import type { Policy } from '../policy/policy.js';
import { compareWithDisk, findLastStep, type DiskFile } from './disk.js';
import { finding, type Finding } from './findings.js';
import type { LoadedChain, ChainNode } from './load.js';
import { checkOrder, checkRelease, checkSigners } from './order.js';
import { report, type ChainResult } from './result.js';
import { walkBack, withCoSigners, type ChainPath } from './walk.js';

/** What the analysis of a loaded chain needs; no I/O is done with it. */
export interface AnalyzeInput {
  /** Attestations already verified and parsed (steps 1 to 4). */
  loaded: LoadedChain;
  /** How many attestations the store held, readable or not. */
  stored: number;
  /** The files being deployed: name in the bundle and SHA-256. */
  files: readonly DiskFile[];
  /** The bundle's root digest. */
  rootDigest: string;
  /** A validated policy. */
  policy: Policy;
  /** For the result: the model's path and the trusted root's digest. */
  modelPath: string;
  trustedRoot: string;
  /** Where that root came from, to name it in the result. */
  trustedRootSource?: string;
}

/**
 * Steps 5 to 9 of chain verification, on attestations already verified:
 * pure computation, linear in attestations and files but for the walk's
 * cycle checks, so it runs anywhere (a browser holding the bundles and the
 * digests included).
 */
export function analyzeChain(input: AnalyzeInput): ChainResult {
  const { loaded, files, policy } = input;
  const findings: Finding[] = [...loaded.findings];

  // 5: the files on disk against the last step's outputs.
  const last = findLastStep(loaded.nodes, files);
  if (last === undefined) {
    findings.push(noLastStep(loaded, input.stored));
    return report(input, undefined, findings);
  }
  findings.push(...compareWithDisk(last, files, input.rootDigest));

  // 6: back through the inputs to the roots.
  const path = withCoSigners(
    walkBack(last, loaded.nodes, policy),
    loaded.nodes,
  );
  findings.push(...path.findings);

  // 7: required steps, signers per step, order of kinds, order in time.
  findings.push(...checkOrder(path, last, policy));
  findings.push(...checkSigners(path, loaded.nodes, policy));

  // 8: the release the policy pins, if any.
  findings.push(...checkRelease(last, input.rootDigest, policy));

  // 9: the verdict, with what is off the path reported.
  findings.push(...offPath(loaded.nodes, path));
  return report(input, { path, last }, findings);
}

/**
 * No step made these files: either the store holds no attestation that
 * verified with a signer the policy trusts, or those it holds name none of
 * the files (a store of another model, or files renamed).
 */
function noLastStep(loaded: LoadedChain, stored: number): Finding {
  if (loaded.nodes.some((n) => n.trusted)) {
    const message = 'no trusted attestation names a file of this model';
    return finding('NO_ARTIFACT_MATCHED', message);
  }
  const message =
    stored === 0
      ? 'the store holds no attestation for this model'
      : 'the store holds no verified attestation by a signer the policy trusts';
  return finding('NO_ATTESTATION_FOR_MODEL', message);
}

function offPath(nodes: readonly ChainNode[], path: ChainPath): Finding[] {
  const on = new Set(path.nodes.map((n) => n.id));
  return nodes
    .filter((n) => n.trusted && !on.has(n.id))
    .map((n) =>
      finding(
        'ATTESTATION_OFF_PATH',
        `${n.step.kind} is not on the path to these files` +
          (passesThroughOnly(n)
            ? ` (every output it names is one of its own inputs unchanged, ` +
              `so files link past it to where they came from)`
            : '') +
          `: reported, not trusted`,
        { attestation: n.id, step: n.step.kind, signer: n.signer },
      ),
    );
}

/** A step that changed no file: files link to their origin, not to it. */
function passesThroughOnly(node: ChainNode): boolean {
  const inputs = new Set(node.step.inputs.map((i) => i.sha256));
  const outputs = node.step.outputs;
  return outputs.length > 0 && outputs.every((o) => inputs.has(o.sha256));
}
