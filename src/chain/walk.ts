import type { Policy } from '../policy/policy.js';
import type { ChainNode } from './load.js';
import { finding, type Finding } from './findings.js';

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
  findings: Finding[];
}

/**
 * Step 6 of chain verification: walks back from the last step through the
 * inputs to the attestations that produced them, until policy roots.
 */
export function walkBack(
  last: ChainNode,
  nodes: readonly ChainNode[],
  policy: Policy,
): ChainPath {
  const producers = indexOutputs(nodes);
  const roots = new Map(policy.roots.map((r) => [r.sha256, r]));
  const sources = new Map<string, InputSource[]>();
  const findings: Finding[] = [];
  const reached = new Map<string, ChainNode>([[last.id, last]]);
  const queue = [last];

  for (let node = queue.shift(); node; node = queue.shift()) {
    const resolved = node.step.inputs.map((input) => {
      const from = (producers.get(input.sha256) ?? []).filter(
        (p) => p.id !== node.id,
      );
      const trusted = from.filter((p) => p.trusted);
      if (trusted.length > 0) {
        findings.push(...conflicts(trusted, input.sha256));
        for (const p of trusted) {
          if (!reached.has(p.id)) {
            reached.set(p.id, p);
            queue.push(p);
          }
        }
        return { kind: 'step', attestation: trusted[0].id } as const;
      }
      const root = roots.get(input.sha256);
      if (root) return { kind: 'root', name: root.name } as const;
      findings.push(unresolved(node, input, from));
      return { kind: 'unresolved' } as const;
    });
    sources.set(node.id, resolved);
  }

  const order = topologicalOrder([...reached.values()], sources);
  return {
    nodes: order.nodes,
    sources,
    findings: [...findings, ...order.findings],
  };
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

function conflicts(trusted: ChainNode[], digest: string): Finding[] {
  const inputsOf = (n: ChainNode) =>
    n.step.inputs
      .map((i) => i.sha256)
      .sort()
      .join(',');
  const distinct = new Set(trusted.map(inputsOf));
  if (distinct.size < 2) return [];
  const message =
    `${trusted.length} attestations claim output sha256:${digest} ` +
    `from different inputs`;
  return [
    finding('CONFLICTING_PRODUCERS', message, {
      attestation: trusted.map((n) => n.id).join(','),
      expected: digest,
    }),
  ];
}

function unresolved(
  node: ChainNode,
  input: { name: string; sha256: string },
  untrusted: ChainNode[],
): Finding {
  const where = {
    attestation: node.id,
    step: node.step.kind,
    signer: node.signer,
    file: input.name,
    actual: input.sha256,
  };
  const other = untrusted[0];
  if (other) {
    const message =
      `input ${input.name} of ${node.step.kind} comes only from an ` +
      `untrusted step: ${other.step.kind} signed by ${other.signer.identity}`;
    return finding('INPUT_FROM_UNTRUSTED_STEP', message, where);
  }
  const message =
    `input ${input.name} of ${node.step.kind} was produced by no ` +
    `attested step and is not a trusted root: a gap in the chain`;
  return finding('INPUT_UNRESOLVED', message, where);
}

/** Orders producers before consumers; reports a cycle if there is one. */
function topologicalOrder(
  nodes: ChainNode[],
  sources: Map<string, InputSource[]>,
): { nodes: ChainNode[]; findings: Finding[] } {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const state = new Map<string, 'open' | 'done'>();
  const order: ChainNode[] = [];
  const findings: Finding[] = [];

  const visit = (node: ChainNode): void => {
    const seen = state.get(node.id);
    if (seen === 'done') return;
    if (seen === 'open') {
      const message = `${node.step.kind} consumes its own output (a cycle)`;
      findings.push(
        finding('CHAIN_CYCLE', message, {
          attestation: node.id,
          step: node.step.kind,
        }),
      );
      return;
    }
    state.set(node.id, 'open');
    for (const source of sources.get(node.id) ?? []) {
      const producer =
        source.kind === 'step' ? byId.get(source.attestation) : undefined;
      if (producer) visit(producer);
    }
    state.set(node.id, 'done');
    order.push(node);
  };
  for (const node of nodes) visit(node);
  return { nodes: order, findings };
}
