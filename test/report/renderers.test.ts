import { describe, expect, it } from 'vitest';

import type { ChainResult } from '../../src/chain/result.js';
import { renderJson, RESULT_FORMAT } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderMermaid } from '../../src/report/mermaid.js';
import { renderText } from '../../src/report/text.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const SIGNER = {
  identity: 'release@example.com',
  issuer: 'https://issuer.example',
};

function result(overrides: Partial<ChainResult> = {}): ChainResult {
  return {
    verified: true,
    model: { path: 'model', rootDigest: A, files: 1 },
    trustedRoot: `sha256:${B}`,
    steps: [
      {
        attestation: A,
        kind: 'export',
        signer: SIGNER,
        signedAt: '2026-12-04T00:00:00.000Z',
        builderId: 'https://ci.example.com/export',
        parameters: {},
        inputs: [
          {
            name: 'w.bin',
            sha256: B,
            from: { kind: 'root', name: 'upstream' },
          },
        ],
        outputs: [{ name: 'model.bin', sha256: A }],
      },
      {
        attestation: B,
        kind: 'repackage',
        signer: SIGNER,
        signedAt: '2026-12-04T00:00:01.000Z',
        builderId: 'https://ci.example.com/release',
        parameters: {},
        inputs: [
          {
            name: 'model.bin',
            sha256: A,
            from: { kind: 'step', attestation: A },
          },
        ],
        outputs: [{ name: 'model.bin', sha256: A }],
      },
    ],
    files: [{ name: 'model.bin', status: 'ok', sha256: A, expected: A }],
    findings: [],
    ...overrides,
  };
}

const tampered = () =>
  result({
    verified: false,
    files: [{ name: 'model.bin', status: 'modified', sha256: B, expected: A }],
    findings: [
      {
        code: 'FILE_MODIFIED',
        severity: 'error',
        message: 'model.bin | differs\n## forged',
        attestation: B,
        step: 'repackage',
        file: 'model.bin',
        expected: A,
        actual: B,
      },
    ],
  });

describe('#renderJson', () => {
  it('returns the result under its versioned format', () => {
    const json = JSON.parse(renderJson(result())) as Record<string, unknown>;
    expect(json.format).toBe(RESULT_FORMAT);
    expect(json.verified).toBe(true);
  });
});

describe('#renderText', () => {
  it('returns one line per step with its signer and a verdict', () => {
    const text = renderText(result());
    expect(text).toContain('1. export');
    expect(text).toContain('signed by release@example.com');
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^VERIFIED: 2 steps/);
  });
});

describe('#renderMarkdown', () => {
  it('returns the verdict, a steps table and the findings', () => {
    const md = renderMarkdown(tampered());
    expect(md).toMatch(/^## Model provenance: ❌ not verified/);
    expect(md).toContain('| 2 | repackage | release@example.com |');
    expect(md).toContain('| model.bin | modified |');
  });

  it('keeps attacker text inside its table cell', () => {
    const md = renderMarkdown(tampered());
    const row = md.split('\n').find((l) => l.includes('FILE_MODIFIED'));
    expect(row).toContain('model.bin \\| differs \\#\\# forged');
    expect(md).not.toMatch(/^## forged/m);
  });
});

describe('#renderMermaid', () => {
  it('returns a flowchart from the root through the steps to the bundle', () => {
    const graph = renderMermaid(result());
    expect(graph).toMatch(/^flowchart LR\n/);
    expect(graph).toContain('r0 --> s0');
    expect(graph).toContain('s0 --> s1');
    expect(graph).toContain('s1 --> bundle');
    expect(graph).not.toContain(':::bad');
  });

  it('marks the failing step and the link to the bundle red', () => {
    const graph = renderMermaid(tampered());
    expect(graph).toContain('s1["repackage<br/>release@example.com"]:::bad');
    const links = graph.split('\n').filter((l) => l.includes('-->'));
    const index = links.findIndex((l) => l.includes('s1 --> bundle'));
    expect(graph).toContain(`linkStyle ${index} stroke:#d00`);
  });

  it('draws an unresolved input from a red gap node', () => {
    const r = result();
    r.steps[0].inputs[0].from = { kind: 'unresolved' };
    expect(renderMermaid(r)).toContain('gap(("unresolved")):::bad -.-> s0');
  });
});

describe('renderers with a key-signed, unlogged step', () => {
  const keyId = `sha256:${'c'.repeat(64)}`;
  const keyed = (): ChainResult => {
    const base = result();
    const [first, second] = base.steps;
    if (!first || !second) throw new Error('fixture has two steps');
    const unlogged = { ...second, signer: { keyId } };
    delete unlogged.signedAt;
    return {
      ...base,
      steps: [first, unlogged],
      findings: [
        {
          code: 'SIGNER_NOT_ALLOWED',
          severity: 'error',
          message: 'repackage signed by a key the policy does not allow',
          step: 'repackage',
          signer: { keyId },
        },
      ],
    };
  };

  it('names the key by its id in text, markdown and mermaid', () => {
    expect(renderText(keyed())).toContain(`signed by key ${keyId}`);
    expect(renderText(keyed())).toContain(`signer ${keyId}`);
    expect(renderText(keyed())).toContain('no signed time');
    expect(renderMarkdown(keyed())).toContain(`| ${keyId} | key | none |`);
    expect(renderMermaid(keyed())).toContain(keyId);
  });

  it('keeps the key id and omits signedAt in JSON', () => {
    const json = JSON.parse(renderJson(keyed())) as ChainResult;
    expect(json.steps[1]?.signer).toEqual({ keyId });
    expect(json.steps[1]).not.toHaveProperty('signedAt');
  });
});
