import type { ChainResult } from '../chain/result.js';
import { signerName } from '../chain/signer.js';

/**
 * Renders the chain as a Mermaid flowchart: roots and steps as nodes,
 * links by digest as edges, the deployed bundle last. Steps and links that
 * a finding names are drawn red; unresolved inputs point from a red
 * "unresolved" node.
 */
export function renderMermaid(result: ChainResult): string {
  const ids = new Map(result.steps.map((s, i) => [s.attestation, `s${i}`]));
  const bad = new Set(
    result.findings
      .filter((f) => f.severity === 'error')
      .flatMap((f) => (f.attestation ?? '').split(',')),
  );
  const lines = ['flowchart LR'];
  const edges: { line: string; bad: boolean }[] = [];
  const roots = new Map<string, string>();

  for (const step of result.steps) {
    const id = ids.get(step.attestation) ?? 's?';
    const label = `${step.kind}<br/>${signerName(step.signer)}`;
    lines.push(
      `  ${id}["${text(label)}"]${bad.has(step.attestation) ? ':::bad' : ''}`,
    );
    for (const source of sourcesOf(step)) {
      if (source.kind === 'step') {
        const from = ids.get(source.attestation);
        if (from) edges.push({ line: `  ${from} --> ${id}`, bad: false });
      } else if (source.kind === 'root') {
        const rootId = roots.get(source.name) ?? `r${roots.size}`;
        roots.set(source.name, rootId);
        edges.push({ line: `  ${rootId} --> ${id}`, bad: false });
      } else {
        edges.push({
          line: `  gap(("unresolved")):::bad -.-> ${id}`,
          bad: true,
        });
      }
    }
  }
  for (const [name, id] of roots) lines.push(`  ${id}[("${text(name)}")]`);

  const fileTrouble = result.files.some((f) => f.status !== 'ok');
  const last = result.steps.at(-1);
  lines.push(
    `  bundle[["${text(result.model.path)}"]]${result.verified ? '' : ':::bad'}`,
  );
  if (last) {
    const from = ids.get(last.attestation) ?? 's?';
    edges.push({ line: `  ${from} --> bundle`, bad: fileTrouble });
  }
  lines.push(...unique(edges.map((e) => e.line)));
  unique(edges.map((e) => e.line)).forEach((line, i) => {
    if (edges.find((e) => e.line === line)?.bad) {
      lines.push(`  linkStyle ${i} stroke:#d00,stroke-width:3px`);
    }
  });
  lines.push('  classDef bad fill:#fdd,stroke:#d00,color:#600');
  return lines.join('\n') + '\n';
}

type Source =
  | { kind: 'step'; attestation: string }
  | { kind: 'root'; name: string }
  | { kind: 'unresolved' };

/** Each distinct source of a step's inputs, once. */
function sourcesOf(step: ChainResult['steps'][number]): Source[] {
  const seen = new Set<string>();
  const sources: Source[] = [];
  for (const input of step.inputs) {
    const s = input.from;
    const source: Source =
      s.kind === 'root'
        ? {
            kind: 'root',
            name: s.name ?? `sha256:${input.sha256.slice(0, 12)}`,
          }
        : s;
    const key = JSON.stringify(source);
    if (!seen.has(key)) {
      seen.add(key);
      sources.push(source);
    }
  }
  return sources;
}

function unique(lines: string[]): string[] {
  return [...new Set(lines)];
}

/** Text inside a quoted Mermaid label: quotes and markup made inert. */
function text(label: string): string {
  return label
    .replace(/<br\/>/g, '\u0000')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\u0000' ? c : ' '))
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\u0000/g, '<br/>');
}
