import { StatementError } from '../../src/errors.js';
import type { StepDescription } from '../../src/steps/index.js';

/** A 64-character hex digest made of one repeated character. */
export const h = (c: string): string => c.repeat(64);

/** A full quantize step with every optional field. */
export const quantize: StepDescription = {
  kind: 'quantize',
  outputs: [{ name: 'model-q4.gguf', sha256: h('a') }],
  bundle: { name: 'llama-q4', rootDigest: h('b') },
  inputs: [{ name: 'model.safetensors', sha256: h('c'), role: 'base' }],
  parameters: { scheme: 'q4_k_m', bits: 4, calibrationDataDigest: h('d') },
  tools: [
    {
      name: 'llama-quantize',
      sha256: h('e'),
      uri: 'pkg:github/ggml-org/llama.cpp@b4000',
    },
  ],
  builderId: 'https://ci.example/pipelines/quantize',
  invocationId: 'run-42',
  startedOn: '2025-06-01T10:00:00Z',
  finishedOn: '2025-06-01T10:05:00Z',
  byproducts: [{ name: 'logs/quantize.log', sha256: h('f') }],
};

/** The StatementError code `fn` throws, if any. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof StatementError ? e.code : 'not a StatementError';
  }
  return undefined;
}
