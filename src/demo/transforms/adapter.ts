/**
 * Step 3a: a small low-rank adapter (LoRA) for one weight of a base model,
 * deterministic from a seed.
 */
import { join } from 'node:path';
import { DemoModelError } from './errors.js';
import {
  jsonBytes,
  prepareOutDir,
  readJsonObject,
  writeOutput,
} from './files.js';
import { CONFIG_FILE, MODEL_FILE } from './export.js';
import { loraFactors, matrixDims } from './lora.js';
import { SCALE_SUFFIX } from './quantize.js';
import { encodeSafetensors, readSafetensors } from './safetensors.js';
import { findTensor, type Tensor } from './tensor.js';

/** The adapter's weights file. */
export const ADAPTER_FILE = 'adapter.safetensors';

/** The adapter's config file. */
export const ADAPTER_CONFIG_FILE = 'adapter_config.json';

/** Options of {@link makeAdapter}. */
export interface AdapterOptions {
  /** Rank r, an integer from 1 to min(in, out); default 4. */
  rank?: number;
  /** PRNG seed, an integer from 0 to 2^32 - 1; default 1. */
  seed?: number;
  /**
   * Name of the weight to adapt; default the last weight (in file order)
   * of rank >= 2 whose matrix view is at least `rank` wide both ways.
   */
  target?: string;
  /** Scaling numerator: the delta is (alpha / rank) * B @ A; default 2r. */
  alpha?: number;
}

/** Names of an adapter's two factors for a target weight. */
export function factorNames(target: string): { a: string; b: string } {
  return { a: `${target}.lora_A`, b: `${target}.lora_B` };
}

/**
 * Make a LoRA adapter for one weight of the model in `baseDir` (float or
 * int8): A [r x in] and B [out x r] (see loraFactors for the
 * distributions), where a weight of shape [..., out] is a matrix
 * [product of the other dimensions x out]. Writes `adapter.safetensors`
 * and `adapter_config.json` (target, rank, alpha, seed, shapes).
 *
 * @returns The files written, POSIX paths relative to `outDir`.
 * @throws {DemoModelError} `DEMO_OPTIONS_INVALID` for a bad rank, seed,
 *   alpha or target; as readSafetensors; `DEMO_WRITE_FAILED`.
 * @example
 * ```ts
 * await makeAdapter('out/2-quantized', 'out/3-adapter', { seed: 7 });
 * ```
 */
export async function makeAdapter(
  baseDir: string,
  outDir: string,
  opts: AdapterOptions = {},
): Promise<string[]> {
  const { tensors } = await readSafetensors(join(baseDir, MODEL_FILE));
  const config = await readJsonObject(join(baseDir, CONFIG_FILE));
  const wanted = opts.rank ?? 4;
  const target = pickTarget(tensors, opts.target, wanted);
  const dims = matrixDims(target);
  const rank = checkRank(wanted, dims);
  const seed = checkSeed(opts.seed ?? 1);
  const alpha = checkAlpha(opts.alpha ?? 2 * rank);
  const { a, b } = loraFactors(seed, rank, dims.inFeatures, dims.outFeatures);
  const names = factorNames(target.name);
  const factors: Tensor[] = [
    { name: names.a, dtype: 'F32', shape: [rank, dims.inFeatures], data: a },
    { name: names.b, dtype: 'F32', shape: [dims.outFeatures, rank], data: b },
  ];
  const adapterConfig = {
    adapter_type: 'lora',
    base_architecture: config['architecture'] ?? null,
    target: target.name,
    target_shape: target.shape,
    in_features: dims.inFeatures,
    out_features: dims.outFeatures,
    rank,
    alpha,
    seed,
    init: 'mulberry32-uniform: A in ±1/sqrt(in), B in ±0.5',
    tensors: { lora_A: names.a, lora_B: names.b },
  };
  const meta = { adapter_type: 'lora', target: target.name };
  const out = await prepareOutDir(outDir, [baseDir]);
  return [
    await writeOutput(out, ADAPTER_CONFIG_FILE, jsonBytes(adapterConfig)),
    await writeOutput(out, ADAPTER_FILE, encodeSafetensors(factors, meta)),
  ].sort();
}

function pickTarget(
  tensors: readonly Tensor[],
  name: string | undefined,
  rank: number,
): Tensor {
  if (name !== undefined) {
    const found = findTensor(tensors, name);
    if (!found || found.dtype === 'I32' || found.shape.length < 2) {
      throw new DemoModelError(
        'DEMO_OPTIONS_INVALID',
        `expected a float or int8 weight of rank >= 2 named ${name}`,
      );
    }
    return found;
  }
  const fits = (t: Tensor): boolean => {
    if (t.shape.length < 2 || t.name.endsWith(SCALE_SUFFIX)) return false;
    const { inFeatures, outFeatures } = matrixDims(t);
    return Math.min(inFeatures, outFeatures) >= rank;
  };
  const weights = tensors.filter((t) => t.dtype !== 'I32' && fits(t));
  const last = weights[weights.length - 1];
  if (!last) {
    throw new DemoModelError(
      'DEMO_OPTIONS_INVALID',
      `the base model has no weight of rank >= 2 and width >= ${rank}`,
    );
  }
  return last;
}

function checkRank(
  rank: number,
  dims: { inFeatures: number; outFeatures: number },
): number {
  const max = Math.min(dims.inFeatures, dims.outFeatures);
  if (!Number.isInteger(rank) || rank < 1 || rank > max) {
    throw new DemoModelError(
      'DEMO_OPTIONS_INVALID',
      `expected a rank from 1 to ${max}, found ${rank}`,
    );
  }
  return rank;
}

function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new DemoModelError(
      'DEMO_OPTIONS_INVALID',
      `expected a seed from 0 to 2^32 - 1, found ${seed}`,
    );
  }
  return seed;
}

function checkAlpha(alpha: number): number {
  if (!Number.isFinite(alpha)) {
    throw new DemoModelError(
      'DEMO_OPTIONS_INVALID',
      `expected a finite alpha, found ${alpha}`,
    );
  }
  return alpha;
}
