import type { Policy } from '../policy/policy.js';
import { sameRootDigest } from './digest-links.js';
import { finding, type Finding } from './findings.js';
import { signerKey } from './signer.js';
import type { ChainNode } from './load.js';
import { stepKey, type ChainPath } from './walk.js';

/** Every consumer-producer pair on the path, once each. */
function links(path: ChainPath): [ChainNode, ChainNode][] {
  const byId = new Map(path.nodes.map((n) => [n.id, n]));
  const pairs: [ChainNode, ChainNode][] = [];
  for (const [consumerId, producerIds] of path.producers) {
    const consumer = byId.get(consumerId);
    for (const id of producerIds) {
      const producer = byId.get(id);
      if (consumer && producer) pairs.push([consumer, producer]);
    }
  }
  return pairs;
}

const where = (node: ChainNode) => ({
  attestation: node.id,
  step: node.step.kind,
  signer: node.signer,
});

/**
 * Step 7 of chain verification: required kinds are present, each step
 * follows only the kinds its rule allows, the last step is of a kind that
 * may be last, and no step was signed before a step it consumes.
 */
export function checkOrder(
  path: ChainPath,
  last: ChainNode,
  policy: Policy,
): Finding[] {
  const findings: Finding[] = [];
  const present = new Set(path.nodes.map((n) => n.step.kind));
  for (const [kind, rule] of Object.entries(policy.steps)) {
    if (rule.required && !present.has(kind)) {
      const message = `required step ${kind} is not on a trusted path to these files`;
      findings.push(finding('STEP_MISSING', message, { step: kind }));
    }
  }
  if (policy.final && !policy.final.includes(last.step.kind)) {
    const message =
      `the deployed files come from a ${last.step.kind} step, but only ` +
      `${policy.final.join(', ')} may be last`;
    findings.push(finding('STEP_OUT_OF_ORDER', message, where(last)));
  }
  for (const [consumer, producer] of links(path)) {
    findings.push(...pairFindings(consumer, producer, policy));
  }
  return findings;
}

function pairFindings(
  consumer: ChainNode,
  producer: ChainNode,
  policy: Policy,
): Finding[] {
  const findings: Finding[] = [];
  const after = policy.steps[consumer.step.kind]?.after;
  if (after && !after.includes(producer.step.kind)) {
    const allowed = after.length > 0 ? after.join(', ') : 'roots only';
    const message =
      `${consumer.step.kind} consumes the output of ${producer.step.kind}, ` +
      `but may follow ${allowed}`;
    findings.push(finding('STEP_OUT_OF_ORDER', message, where(consumer)));
  }
  // An unlogged key-signed step has no signed time: nothing to compare,
  // and the report says so rather than passing over it in silence.
  const { signedAt: consumed } = consumer;
  const { signedAt: produced } = producer;
  if (consumed === undefined || produced === undefined) {
    const unlogged = consumed === undefined ? consumer : producer;
    const message =
      `cannot check that ${consumer.step.kind} was signed after ` +
      `${producer.step.kind}: ${unlogged.step.kind} has no signed time ` +
      `(unlogged, allowed by allowUnlogged)`;
    findings.push(finding('STEP_TIME_UNCHECKED', message, where(consumer)));
  } else if (consumed < produced) {
    const message =
      `${consumer.step.kind} was signed at ` +
      `${consumed.toISOString()}, before ${producer.step.kind} ` +
      `(${produced.toISOString()}) whose output it consumes`;
    findings.push(finding('STEP_BEFORE_INPUT', message, where(consumer)));
  }
  return findings;
}

/**
 * Step 8 of chain verification: when the policy pins a release, the last
 * step must name that release and the bundle must have the pinned digest,
 * so a rebuilt bundle reusing a version, or an older release, is refused.
 */
export function checkRelease(
  last: ChainNode,
  rootDigest: string,
  policy: Policy,
): Finding[] {
  const rule = policy.release;
  if (rule === undefined) return [];
  const findings: Finding[] = [];
  const claimed = releaseOf(last.step.parameters);
  for (const key of ['name', 'version'] as const) {
    const want = rule[key];
    if (want !== undefined && claimed[key] !== want) {
      const message =
        `the policy expects release ${key} ${JSON.stringify(want)}, ` +
        `${last.step.kind} says ${JSON.stringify(claimed[key] ?? null)}`;
      findings.push(finding('RELEASE_MISMATCH', message, where(last)));
    }
  }
  if (rule.sha256 !== undefined && !sameRootDigest(rule.sha256, rootDigest)) {
    const message = 'the bundle is not the release the policy pins';
    findings.push(
      finding('RELEASE_MISMATCH', message, {
        ...where(last),
        expected: rule.sha256,
        actual: rootDigest,
      }),
    );
  }
  return findings;
}

function releaseOf(parameters: Record<string, unknown>): {
  name?: unknown;
  version?: unknown;
} {
  const release = parameters.release;
  return typeof release === 'object' && release !== null ? release : {};
}

/**
 * Step 7, signers: a kind whose rule needs k signers must have, for each of
 * its steps on the path, k trusted attestations of that same step (same
 * inputs and outputs) by k distinct identities or keys.
 */
export function checkSigners(
  path: ChainPath,
  nodes: readonly ChainNode[],
  policy: Policy,
): Finding[] {
  const signersOf = new Map<string, Set<string>>();
  for (const node of nodes) {
    if (!node.trusted) continue;
    const key = stepKey(node);
    const set = signersOf.get(key) ?? new Set<string>();
    signersOf.set(key, set.add(signerKey(node.signer)));
  }
  const findings: Finding[] = [];
  const reported = new Set<string>();
  for (const node of path.nodes) {
    const needed = policy.steps[node.step.kind]?.threshold ?? 1;
    const key = stepKey(node);
    const have = signersOf.get(key)?.size ?? 0;
    if (have >= needed || reported.has(key)) continue;
    reported.add(key);
    const message =
      `${node.step.kind} needs ${needed} distinct signers, ` + `found ${have}`;
    findings.push(finding('TOO_FEW_SIGNERS', message, where(node)));
  }
  return findings;
}
