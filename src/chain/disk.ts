import type { Manifest } from '../digest/index.js';
import type { ChainNode } from './load.js';
import { finding, type Finding } from './findings.js';

/**
 * Step 5 of chain verification: picks the last step, the trusted
 * attestation whose outputs the files on disk are, and compares them.
 */
export function findLastStep(
  nodes: readonly ChainNode[],
  manifest: Manifest,
): ChainNode | undefined {
  const onDisk = new Map(manifest.entries.map((e) => [e.path, e.sha256]));
  const scored = nodes
    .filter((n) => n.trusted)
    .map((node) => ({ node, ...score(node, onDisk) }))
    .filter((s) => s.names > 0);

  // A candidate that feeds another candidate is an earlier step.
  const consumed = new Set<string>();
  for (const { node } of scored) {
    for (const input of node.step.inputs) consumed.add(input.sha256);
  }
  const sinks = scored.filter(
    (s) => !s.node.step.outputs.every((o) => consumed.has(o.sha256)),
  );
  sinks.sort(
    (a, b) =>
      b.exact - a.exact ||
      b.names - a.names ||
      b.node.signedAt.getTime() - a.node.signedAt.getTime(),
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
    if (actual === output.sha256) exact += 1;
  }
  return { exact, names };
}

/**
 * Compares the files on disk with the last step's outputs, by name and
 * digest: changed, missing and unattested files each give a finding.
 */
export function compareWithDisk(
  last: ChainNode,
  manifest: Manifest,
): Finding[] {
  const where = {
    attestation: last.id,
    step: last.step.kind,
    signer: last.signer,
  };
  const expected = new Map(last.step.outputs.map((o) => [o.name, o.sha256]));
  const findings: Finding[] = [];
  for (const entry of manifest.entries) {
    const want = expected.get(entry.path);
    if (want === undefined) {
      const message = `${entry.path} is on disk but no step produced it`;
      findings.push(
        finding('FILE_UNATTESTED', message, {
          ...where,
          file: entry.path,
          actual: entry.sha256,
        }),
      );
    } else if (want !== entry.sha256) {
      const message =
        `${entry.path} differs from the output of the last attested step ` +
        `(${last.step.kind}): changed after that step, in storage, ` +
        `transfer or deployment`;
      findings.push(
        finding('FILE_MODIFIED', message, {
          ...where,
          file: entry.path,
          expected: want,
          actual: entry.sha256,
        }),
      );
    }
    expected.delete(entry.path);
  }
  for (const [path, want] of expected) {
    const message = `${path} was produced by ${last.step.kind} but is missing`;
    findings.push(
      finding('FILE_MISSING', message, { ...where, file: path, expected: want }),
    );
  }
  return findings.length > 0 ? findings : compareBundle(last, manifest);
}

function compareBundle(last: ChainNode, manifest: Manifest): Finding[] {
  const bundle = last.step.bundle;
  if (bundle === undefined || bundle.rootDigest === manifest.rootDigest) {
    return [];
  }
  const message = `bundle root digest differs from ${last.step.kind}'s`;
  return [
    finding('BUNDLE_DIGEST_MISMATCH', message, {
      attestation: last.id,
      step: last.step.kind,
      signer: last.signer,
      expected: bundle.rootDigest,
      actual: manifest.rootDigest,
    }),
  ];
}
