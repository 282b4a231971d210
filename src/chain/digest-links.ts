import type { Policy } from '../policy/policy.js';
import {
  compareDigests,
  digestsMatch,
  sha256Set,
  type DigestSet,
} from '../statement/digest-match.js';
import type { Artifact } from '../steps/index.js';
import { finding, type Finding } from './findings.js';
import type { ChainNode } from './load.js';

/** Every digest an artifact of a statement has (at least its SHA-256). */
export function digestSetOf(a: {
  sha256: string;
  digest?: DigestSet;
}): DigestSet {
  return a.digest ?? sha256Set(a.sha256);
}

/**
 * Of the steps that output an input's SHA-256, those whose output matches
 * the input in every algorithm both name. A step whose output agrees on
 * SHA-256 but differs in another shared algorithm is no producer of it,
 * and gives a `DIGEST_MISMATCH` finding naming both digests.
 *
 * @param candidates - Steps with an output of the input's SHA-256.
 * @param consumer - The step whose input it is.
 * @param input - The input.
 */
export function matchProducers(
  candidates: readonly ChainNode[],
  consumer: ChainNode,
  input: Artifact,
): { nodes: ChainNode[]; findings: Finding[] } {
  const want = digestSetOf(input);
  const nodes: ChainNode[] = [];
  const findings: Finding[] = [];
  for (const producer of candidates) {
    if (producer.id === consumer.id) continue;
    const outputs = producer.step.outputs.filter(
      (o) => o.sha256 === input.sha256,
    );
    const compared = outputs.map((o) => compareDigests(digestSetOf(o), want));
    if (compared.some((c) => c.result === 'match')) {
      nodes.push(producer);
      continue;
    }
    const differ = compared.find((c) => c.result === 'mismatch');
    if (differ?.result !== 'mismatch') continue;
    const message =
      `input ${input.name} of ${consumer.step.kind} and an output of ` +
      `${producer.step.kind} agree on sha256 but differ in ` +
      `${differ.algorithm}: not linked`;
    findings.push(
      finding('DIGEST_MISMATCH', message, {
        attestation: consumer.id,
        step: consumer.step.kind,
        signer: consumer.signer,
        file: input.name,
        expected: differ.expected,
        actual: differ.actual,
      }),
    );
  }
  return { nodes, findings };
}

/** The policy root that an input is, matched by digest, if any. */
export function matchRoot(
  roots: ReadonlyMap<string, Policy['roots'][number]>,
  input: Artifact,
): Policy['roots'][number] | undefined {
  const root = roots.get(input.sha256);
  if (root === undefined) return undefined;
  return digestsMatch(sha256Set(root.sha256), digestSetOf(input))
    ? root
    : undefined;
}

/** Whether a file's SHA-256 on disk is an artifact's content. */
export function fileMatches(artifact: Artifact, sha256OnDisk: string): boolean {
  return digestsMatch(digestSetOf(artifact), sha256Set(sha256OnDisk));
}

/** Whether two bundle root digests (SHA-256) are the same. */
export function sameRootDigest(a: string, b: string): boolean {
  return digestsMatch(sha256Set(a), sha256Set(b));
}
