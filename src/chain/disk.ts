import { fileMatches, sameRootDigest } from './digest-links.js';
import type { ChainNode } from './load.js';
import { finding, type Finding } from './findings.js';

/** A file of the model on disk: its name in the bundle and its digest. */
export interface DiskFile {
  name: string;
  sha256: string;
}

/**
 * Step 5 of chain verification: picks the last step, the trusted
 * attestation whose outputs the files on disk are, and compares them.
 */
export function findLastStep(
  nodes: readonly ChainNode[],
  files: readonly DiskFile[],
): ChainNode | undefined {
  const onDisk = new Map(files.map((f) => [f.name, f.sha256]));
  const scored = nodes
    .filter((n) => n.trusted)
    .map((node) => ({ node, ...score(node, onDisk) }))
    .filter((s) => s.names > 0);

  // A candidate whose outputs all feed other candidates is an earlier step.
  const consumers = new Map<string, Set<string>>();
  for (const { node } of scored) {
    for (const input of node.step.inputs) {
      const ids = consumers.get(input.sha256) ?? new Set<string>();
      consumers.set(input.sha256, ids.add(node.id));
    }
  }
  const feedsOther = (node: ChainNode, digest: string): boolean =>
    [...(consumers.get(digest) ?? [])].some((id) => id !== node.id);
  const sinks = scored.filter(
    (s) => !s.node.step.outputs.every((o) => feedsOther(s.node, o.sha256)),
  );
  sinks.sort(
    (a, b) =>
      b.exact - a.exact ||
      b.names - a.names ||
      (b.node.signedAt?.getTime() ?? 0) - (a.node.signedAt?.getTime() ?? 0),
  );
  return sinks[0]?.node;
}

function score(
  node: ChainNode,
  onDisk: ReadonlyMap<string, string>,
): { exact: number; names: number } {
  let exact = 0;
  let names = 0;
  for (const output of node.step.outputs) {
    const actual = onDisk.get(output.name);
    if (actual === undefined) continue;
    names += 1;
    if (fileMatches(output, actual)) exact += 1;
  }
  return { exact, names };
}

/**
 * Compares the files on disk with the last step's outputs, by name and
 * digest: changed, missing and unattested files each give a finding.
 */
export function compareWithDisk(
  last: ChainNode,
  files: readonly DiskFile[],
  rootDigest: string,
): Finding[] {
  const where = {
    attestation: last.id,
    step: last.step.kind,
    signer: last.signer,
  };
  const expected = new Map(last.step.outputs.map((o) => [o.name, o]));
  const findings: Finding[] = [];
  for (const entry of files) {
    const want = expected.get(entry.name);
    if (want === undefined) {
      const message = `${entry.name} is on disk but no step produced it`;
      findings.push(
        finding('FILE_UNATTESTED', message, {
          ...where,
          file: entry.name,
          actual: entry.sha256,
        }),
      );
    } else if (!fileMatches(want, entry.sha256)) {
      const message =
        `${entry.name} differs from the output of the last attested step ` +
        `(${last.step.kind}): changed after that step, in storage, ` +
        `transfer or deployment`;
      findings.push(
        finding('FILE_MODIFIED', message, {
          ...where,
          file: entry.name,
          expected: want.sha256,
          actual: entry.sha256,
        }),
      );
    }
    expected.delete(entry.name);
  }
  for (const [path, want] of expected) {
    const message = `${path} was produced by ${last.step.kind} but is missing`;
    findings.push(
      finding('FILE_MISSING', message, {
        ...where,
        file: path,
        expected: want.sha256,
      }),
    );
  }
  return findings.length > 0 ? findings : compareBundle(last, rootDigest);
}

function compareBundle(last: ChainNode, rootDigest: string): Finding[] {
  const bundle = last.step.bundle;
  if (bundle === undefined || sameRootDigest(bundle.rootDigest, rootDigest)) {
    return [];
  }
  const message = `bundle root digest differs from ${last.step.kind}'s`;
  return [
    finding('BUNDLE_DIGEST_MISMATCH', message, {
      attestation: last.id,
      step: last.step.kind,
      signer: last.signer,
      expected: bundle.rootDigest,
      actual: rootDigest,
    }),
  ];
}
