/**
 * Low-rank adapter arithmetic: a seeded PRNG, a weight's view as a matrix,
 * and the merged delta (alpha / r) * B @ A.
 */
import { DemoModelError } from './errors.js';
import type { Tensor } from './tensor.js';

/**
 * mulberry32: a 32-bit PRNG, deterministic from `seed`, returning numbers in
 * [0, 1). Not for cryptography.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A weight seen as a matrix. TF.js stores dense kernels as [in, out] and
 * convolution kernels as [h, w, in, out], so the last dimension is the
 * output and all others flatten, row-major, into the input: element
 * (i, o) is at `i * out + o`.
 *
 * @throws {DemoModelError} `DEMO_OPTIONS_INVALID` for a tensor of rank < 2.
 */
export function matrixDims(tensor: Pick<Tensor, 'name' | 'shape'>): {
  inFeatures: number;
  outFeatures: number;
} {
  const { shape } = tensor;
  if (shape.length < 2) {
    throw new DemoModelError(
      'DEMO_OPTIONS_INVALID',
      `${tensor.name}: expected a tensor of rank 2 or more, found ${shape.length}`,
    );
  }
  const outFeatures = shape[shape.length - 1];
  const inFeatures = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  return { inFeatures, outFeatures };
}

/**
 * The adapter's factors: A [rank x in], uniform in ±1/sqrt(in); B
 * [out x rank], uniform in ±0.5. Both come from one mulberry32 stream, A
 * first, row-major.
 */
export function loraFactors(
  seed: number,
  rank: number,
  inFeatures: number,
  outFeatures: number,
): { a: Float32Array; b: Float32Array } {
  const next = mulberry32(seed);
  const a = new Float32Array(rank * inFeatures);
  const b = new Float32Array(outFeatures * rank);
  const aBound = 1 / Math.sqrt(inFeatures);
  for (let i = 0; i < a.length; i++) a[i] = (next() * 2 - 1) * aBound;
  for (let i = 0; i < b.length; i++) b[i] = (next() * 2 - 1) * 0.5;
  return { a, b };
}

/**
 * The merged delta in the weight's own layout: delta[i * out + o] =
 * (alpha / rank) * sum over k of B[o, k] * A[k, i], in double precision.
 */
export function loraDelta(
  a: Float32Array,
  b: Float32Array,
  dims: { rank: number; inFeatures: number; outFeatures: number },
  alpha: number,
): Float64Array {
  const { rank, inFeatures, outFeatures } = dims;
  const scaling = alpha / rank;
  const delta = new Float64Array(inFeatures * outFeatures);
  for (let o = 0; o < outFeatures; o++) {
    for (let k = 0; k < rank; k++) {
      const bk = b[o * rank + k] * scaling;
      for (let i = 0; i < inFeatures; i++) {
        delta[i * outFeatures + o] += bk * a[k * inFeatures + i];
      }
    }
  }
  return delta;
}
