import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { parseStatement } from '../../src/statement/index.js';
import {
  buildStepStatement,
  readStep,
  type StepDescription,
} from '../../src/steps/index.js';
import { codeOf, h, quantize } from './fixtures.js';

describe('#buildStepStatement', () => {
  describe('when given a full quantize step', () => {
    it('returns the documented statement', () => {
      expect(buildStepStatement(quantize)).toEqual({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [
          { name: 'model-q4.gguf', digest: { sha256: h('a') } },
          {
            name: 'llama-q4',
            digest: { sha256: h('b') },
            annotations: { bundle: true },
          },
        ],
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: {
          buildDefinition: {
            buildType: 'https://model-provenance.dev/build-types/quantize/v1',
            externalParameters: quantize.parameters,
            resolvedDependencies: [
              {
                name: 'model.safetensors',
                digest: { sha256: h('c') },
                annotations: { role: 'base' },
              },
              {
                name: 'llama-quantize',
                uri: 'pkg:github/ggml-org/llama.cpp@b4000',
                digest: { sha256: h('e') },
                annotations: { tool: true },
              },
            ],
          },
          runDetails: {
            builder: { id: 'https://ci.example/pipelines/quantize' },
            metadata: {
              invocationId: 'run-42',
              startedOn: '2025-06-01T10:00:00Z',
              finishedOn: '2025-06-01T10:05:00Z',
            },
            byproducts: [
              { name: 'logs/quantize.log', digest: { sha256: h('f') } },
            ],
          },
        },
      });
    });

    it('returns the example statement of docs/build-types.md', async () => {
      const doc = await readFile(
        join(import.meta.dirname, '../../docs/build-types.md'),
        'utf8',
      );
      const example = /```json\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
      expect(buildStepStatement(quantize)).toEqual(JSON.parse(example));
    });

    it('returns a statement that parses from its JSON bytes', () => {
      const bytes = new TextEncoder().encode(
        JSON.stringify(buildStepStatement(quantize)),
      );
      expect(readStep(parseStatement(bytes)).parameters).toEqual(
        quantize.parameters,
      );
    });
  });

  describe('when built-in parameters are wrong', () => {
    const adapter = {
      adapterName: 'lora',
      rank: 8,
      targetModules: ['q_proj'],
      mode: 'merged',
    };
    it.each([
      ['quantize', { bits: 4 }],
      ['quantize', { scheme: 'q4', bits: 0 }],
      ['quantize', { scheme: 'q4', bits: 4.5 }],
      ['quantize', { scheme: 'q4', bits: 4, calibrationDataDigest: 'ABC' }],
      ['adapter-attach', { ...adapter, mode: 'fused' }],
      ['adapter-attach', { ...adapter, rank: -1 }],
      ['adapter-attach', { ...adapter, targetModules: [] }],
      ['adapter-attach', { ...adapter, adapterName: undefined }],
      ['export', { sourceFormat: 'pytorch' }],
      ['repackage', { format: 'oci', targetRuntime: '' }],
      ['my-step', { when: new Date(0) }],
      ['my-step', { ratio: Number.NaN }],
      ['my-step', { f: undefined }],
    ])('throws STATEMENT_PREDICATE_INVALID for %s %j', (kind, parameters) => {
      const inputs = [
        { name: 'a', sha256: h('1'), role: 'base' },
        { name: 'b', sha256: h('2'), role: 'adapter' },
      ];
      const step = { ...quantize, kind, parameters, inputs };
      expect(codeOf(() => buildStepStatement(step))).toBe(
        'STATEMENT_PREDICATE_INVALID',
      );
    });
  });

  describe('when the step is otherwise malformed', () => {
    it.each<[string, Partial<StepDescription>, string]>([
      [
        'an output path escapes',
        { outputs: [{ name: '../w', sha256: h('a') }] },
        'STATEMENT_DESCRIPTOR_INVALID',
      ],
      [
        'an input path is absolute',
        { inputs: [{ name: '/w', sha256: h('a') }] },
        'STATEMENT_DESCRIPTOR_INVALID',
      ],
      [
        'a digest is upper-case',
        { outputs: [{ name: 'w', sha256: h('A') }] },
        'STATEMENT_DIGEST_INVALID',
      ],
      [
        'a bundle digest is short',
        { bundle: { name: 'b', rootDigest: 'ab' } },
        'STATEMENT_DIGEST_INVALID',
      ],
      [
        'two outputs share a name',
        {
          outputs: [
            { name: 'w', sha256: h('a') },
            { name: 'w', sha256: h('b') },
          ],
        },
        'STATEMENT_INVALID',
      ],
      [
        'nothing is output',
        { outputs: [], bundle: undefined },
        'STATEMENT_INVALID',
      ],
      ['there is no input', { inputs: [] }, 'STATEMENT_PREDICATE_INVALID'],
      [
        'a role is malformed',
        { inputs: [{ name: 'a', sha256: h('a'), role: 'Base Model' }] },
        'STATEMENT_PREDICATE_INVALID',
      ],
      [
        'the builder id is empty',
        { builderId: '' },
        'STATEMENT_PREDICATE_INVALID',
      ],
      [
        'a time is not RFC 3339',
        { startedOn: 'yesterday' },
        'STATEMENT_PREDICATE_INVALID',
      ],
      [
        'it finished before it started',
        { finishedOn: '2025-06-01T09:00:00Z' },
        'STATEMENT_PREDICATE_INVALID',
      ],
    ])('throws when %s', (_, patch, code) => {
      expect(codeOf(() => buildStepStatement({ ...quantize, ...patch }))).toBe(
        code,
      );
    });

    it('throws STATEMENT_PREDICATE_INVALID for adapter-attach without an adapter input', () => {
      const step: StepDescription = {
        ...quantize,
        kind: 'adapter-attach',
        parameters: {
          adapterName: 'l',
          rank: 8,
          targetModules: ['q'],
          mode: 'side-loaded',
        },
      };
      expect(codeOf(() => buildStepStatement(step))).toBe(
        'STATEMENT_PREDICATE_INVALID',
      );
    });
  });
});
