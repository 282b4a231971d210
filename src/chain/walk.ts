import type { Policy } from '../policy/policy.js';
import type { Artifact } from '../steps/index.js';
import { matchProducers, matchRoot } from './digest-links.js';
import type { ChainNode } from './load.js';
import { finding, type Finding } from './findings.js';
import { describeSigner } from './signer.js';

/** Where one input of a step on the path comes from. */
export type InputSource =
  | { kind: 'step'; attestation: string }
  | { kind: 'root'; name?: string }
  | { kind: 'unresolved' };

/** The steps reached from the last one, and how their inputs resolved. */
export interface ChainPath {
  /** Nodes on the path, producers before consumers. */
  nodes: ChainNode[];
  /** For each node id, the source of each input, in input order. */
  sources: Map<string, InputSource[]>;
  /** For each node id, the ids of every step it consumes outputs of. */
  producers: Map<string, Set<string>>;
  findings: Finding[];
}

/**
 * Step 6 of chain verification: walks back from the last step through the
 * inputs to the attestations that produced them, until policy roots.
 *
 * A file passed through unchanged is an output of every step it went
 * through, so an input links only to the steps that originated its digest
 * (produced it without consuming it), and only when the link keeps the
 * graph acyclic; two originators from different inputs are a conflict.
 */
export function walkBack(
  last: ChainNode,
  nodes: readonly ChainNode[],
  policy: Policy,
): ChainPath {
  const producers = indexOutputs(nodes);
  const roots = new Map(policy.roots.map((r) => [r.sha256, r]));
  const edges = new Map<string, Set<string>>();
  const sources = new Map<string, InputSource[]>();
  const findings: Finding[] = [];
  const reached = new Map<string, ChainNode>([[last.id, last]]);
  const queue = [last];

  for (let node = queue.shift(); node; node = queue.shift()) {
    const consumer = node;
    const resolve = (input: Artifact): InputSource => {
      const linked = matchProducers(
        producers.get(input.sha256) ?? [],
        consumer,
        input,
      );
      findings.push(...linked.findings);
      const all = linked.nodes;
      const origins = all.filter(
        (p) => p.trusted && !consumes(p, input.sha256),
      );
      const upstream = origins.filter(
        (p) => !reaches(edges, p.id, consumer.id),
      );
      findings.push(...conflicts(upstream, input.sha256));
      for (const p of upstream) {
        link(edges, consumer.id, p.id);
        if (!reached.has(p.id)) {
          reached.set(p.id, p);
          queue.push(p);
        }
      }
      const first = upstream[0];
      if (first) return { kind: 'step', attestation: first.id };
      const root = matchRoot(roots, input);
      if (root) return { kind: 'root', name: root.name };
      findings.push(unresolved(consumer, input, all, origins.length > 0));
      return { kind: 'unresolved' };
    };
    sources.set(consumer.id, consumer.step.inputs.map(resolve));
  }

  const ordered = producersFirst([...reached.values()], edges);
  return { nodes: ordered, sources, producers: edges, findings };
}

function indexOutputs(nodes: readonly ChainNode[]): Map<string, ChainNode[]> {
  const index = new Map<string, ChainNode[]>();
  for (const node of nodes) {
    for (const output of node.step.outputs) {
      const list = index.get(output.sha256) ?? [];
      if (!list.includes(node)) list.push(node);
      index.set(output.sha256, list);
    }
  }
  return index;
}

function consumes(node: ChainNode, digest: string): boolean {
  return node.step.inputs.some((i) => i.sha256 === digest);
}

function link(edges: Map<string, Set<string>>, from: string, to: string) {
  const set = edges.get(from) ?? new Set<string>();
  edges.set(from, set.add(to));
}

/** Whether `to` can be reached from `from` along consumer-to-producer links. */
function reaches(
  edges: ReadonlyMap<string, ReadonlySet<string>>,
  from: string,
  to: string,
): boolean {
  const seen = new Set<string>();
  const stack = [from];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(edges.get(id) ?? []));
  }
  return false;
}

/** Each node's sorted input digests, computed once: nodes have thousands. */
const inputKeys = new WeakMap<ChainNode, string>();

function inputsOf(node: ChainNode): string {
  let key = inputKeys.get(node);
  if (key === undefined) {
    key = node.step.inputs
      .map((i) => i.sha256)
      .sort()
      .join(',');
    inputKeys.set(node, key);
  }
  return key;
}

function conflicts(origins: ChainNode[], digest: string): Finding[] {
  if (origins.length < 2) return [];
  if (new Set(origins.map(inputsOf)).size < 2) return [];
  const message =
    `${origins.length} attestations claim output sha256:${digest} ` +
    `from different inputs`;
  return [
    finding('CONFLICTING_PRODUCERS', message, {
      attestation: origins.map((n) => n.id).join(','),
      expected: digest,
    }),
  ];
}

function unresolved(
  node: ChainNode,
  input: { name: string; sha256: string },
  producers: ChainNode[],
  onlyDownstream: boolean,
): Finding {
  const where = {
    attestation: node.id,
    step: node.step.kind,
    signer: node.signer,
    file: input.name,
    actual: input.sha256,
  };
  if (onlyDownstream) {
    const message =
      `input ${input.name} of ${node.step.kind} is produced only by ` +
      `steps that consume ${node.step.kind}'s own outputs (a cycle)`;
    return finding('CHAIN_CYCLE', message, where);
  }
  const other = producers.find((p) => !p.trusted);
  if (other) {
    const message =
      `input ${input.name} of ${node.step.kind} comes only from an ` +
      `untrusted step: ${other.step.kind} signed by ` +
      describeSigner(other.signer);
    return finding('INPUT_FROM_UNTRUSTED_STEP', message, where);
  }
  const message =
    `input ${input.name} of ${node.step.kind} was produced by no ` +
    `attested step and is not a trusted root: a gap in the chain`;
  return finding('INPUT_UNRESOLVED', message, where);
}

/** Orders the (acyclic) path so that producers come before consumers. */
function producersFirst(
  nodes: ChainNode[],
  edges: ReadonlyMap<string, ReadonlySet<string>>,
): ChainNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const done = new Set<string>();
  const order: ChainNode[] = [];
  const visit = (node: ChainNode): void => {
    if (done.has(node.id)) return;
    done.add(node.id);
    for (const id of edges.get(node.id) ?? []) {
      const producer = byId.get(id);
      if (producer) visit(producer);
    }
    order.push(node);
  };
  for (const node of nodes) visit(node);
  return order;
}

/** What makes two attestations the same step: kind, inputs, outputs. */
export function stepKey(node: ChainNode): string {
  const digests = (list: readonly { sha256: string }[]) =>
    list
      .map((a) => a.sha256)
      .sort()
      .join(',');
  const { kind, inputs, outputs } = node.step;
  return `${kind}|${digests(inputs)}|${digests(outputs)}`;
}

/**
 * Adds to the path the trusted attestations of a step already on it by
 * other signers (co-signatures, for k-of-n rules), each after its twin.
 */
export function withCoSigners(
  path: ChainPath,
  nodes: readonly ChainNode[],
): ChainPath {
  const on = new Set(path.nodes.map((n) => n.id));
  const twins = new Map<string, ChainNode[]>();
  for (const node of nodes) {
    if (!node.trusted || on.has(node.id)) continue;
    const key = stepKey(node);
    twins.set(key, [...(twins.get(key) ?? []), node]);
  }
  const ordered = path.nodes.flatMap((node) => {
    const extra = twins.get(stepKey(node)) ?? [];
    twins.delete(stepKey(node));
    for (const twin of extra)
      path.sources.set(twin.id, path.sources.get(node.id) ?? []);
    return [node, ...extra];
  });
  return { ...path, nodes: ordered };
}
