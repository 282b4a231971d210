/**
 * Step 2, quantize: float32 weights to int8, symmetric, one scale per
 * tensor.
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
import { encodeSafetensors, readSafetensors } from './safetensors.js';
import type { Tensor } from './tensor.js';

/** Suffix of the F32 tensor of shape [1] that holds a tensor's scale. */
export const SCALE_SUFFIX = '.scale';

/** The scheme name recorded in config.json. */
export const INT8_SCHEME = 'int8-symmetric-per-tensor';

/**
 * Quantize values: scale = max|x| / 127 (as float32; 1 when all are zero),
 * q = clamp(round(x / scale), -127, 127), rounding halves away from zero.
 *
 * @throws {DemoModelError} `DEMO_MODEL_UNSUPPORTED` for NaN or infinity.
 */
export function quantizeValues(data: Float32Array): {
  q: Int8Array;
  scale: number;
} {
  let maxAbs = 0;
  for (const x of data) {
    if (!Number.isFinite(x)) {
      throw new DemoModelError(
        'DEMO_MODEL_UNSUPPORTED',
        'cannot quantize NaN or infinite weights',
      );
    }
    maxAbs = Math.max(maxAbs, Math.abs(x));
  }
  // A scale that underflows float32 would divide by zero: treat as zero.
  const scale = Math.fround(maxAbs / 127) || 1;
  const q = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const r = data[i] / scale;
    const rounded = Math.sign(r) * Math.round(Math.abs(r));
    q[i] = Math.max(-127, Math.min(127, rounded));
  }
  return { q, scale };
}

/** Dequantize: x = q * scale, as float32. */
export function dequantizeValues(q: Int8Array, scale: number): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = q[i] * scale;
  return out;
}

/** The largest |a[i] - b[i]|, computed in double precision. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>) {
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs(a[i] - b[i]));
  }
  return max;
}

/**
 * Quantize `inDir/model.safetensors` (F32 weights; I32 constants are kept
 * as they are) to `outDir/model.safetensors`: for each F32 tensor an I8
 * tensor of the same name and shape and an F32 `<name>.scale` of shape [1].
 * Copies config.json, setting `dtype: 'int8'` and the file's tensor
 * counts by dtype and adding `quantization: {scheme, bits: 8, ...}`;
 * `tensor_count` and `parameter_count` still count the model's weights.
 *
 * @returns The files written (POSIX, relative to `outDir`), the number of
 *   tensors quantized, and the largest absolute error over all weights.
 * @throws {DemoModelError} `DEMO_MODEL_UNSUPPORTED` for input that holds
 *   I8 tensors already; as readSafetensors; `DEMO_WRITE_FAILED`.
 * @example
 * ```ts
 * const { maxAbsError } = await quantizeInt8('out/1', 'out/2');
 * ```
 */
export async function quantizeInt8(
  inDir: string,
  outDir: string,
): Promise<{ files: string[]; tensors: number; maxAbsError: number }> {
  const { tensors, metadata } = await readSafetensors(join(inDir, MODEL_FILE));
  const config = await readJsonObject(join(inDir, CONFIG_FILE));
  const { out: quantized, count, maxAbsError } = quantizeAll(tensors);
  const out = await prepareOutDir(outDir, [inDir]);
  const newConfig = {
    ...config,
    dtype: 'int8',
    tensor_dtypes: countDtypes(quantized),
    quantization: {
      scheme: INT8_SCHEME,
      bits: 8,
      scale_suffix: SCALE_SUFFIX,
      quantized_tensor_count: count,
    },
  };
  const files = [
    await writeOutput(out, CONFIG_FILE, jsonBytes(newConfig)),
    await writeOutput(
      out,
      MODEL_FILE,
      encodeSafetensors(quantized, { ...metadata, quantization: INT8_SCHEME }),
    ),
  ];
  return { files: files.sort(), tensors: count, maxAbsError };
}

function quantizeAll(tensors: readonly Tensor[]): {
  out: Tensor[];
  count: number;
  maxAbsError: number;
} {
  const names = new Set(tensors.map((t) => t.name));
  const out: Tensor[] = [];
  let count = 0;
  let maxAbsError = 0;
  for (const t of tensors) {
    if (t.dtype === 'I32') {
      out.push(t);
      continue;
    }
    if (!(t.data instanceof Float32Array)) {
      throw new DemoModelError(
        'DEMO_MODEL_UNSUPPORTED',
        `${t.name}: expected F32 weights, found ${t.dtype} (quantized already?)`,
      );
    }
    if (names.has(t.name + SCALE_SUFFIX)) {
      throw new DemoModelError(
        'DEMO_MODEL_INVALID',
        `${t.name}: a tensor named ${t.name}${SCALE_SUFFIX} exists already`,
      );
    }
    const { q, scale } = quantizeValues(t.data);
    const error = maxAbsDifference(t.data, dequantizeValues(q, scale));
    maxAbsError = Math.max(maxAbsError, error);
    count++;
    out.push({ name: t.name, dtype: 'I8', shape: [...t.shape], data: q });
    out.push(scaleTensor(t.name, scale));
  }
  return { out, count, maxAbsError };
}

/** Tensors of the file by dtype, in a fixed key order. */
function countDtypes(tensors: readonly Tensor[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const dtype of ['F32', 'I8', 'I32'] as const) {
    const n = tensors.filter((t) => t.dtype === dtype).length;
    if (n > 0) counts[dtype] = n;
  }
  return counts;
}

/** The F32 tensor `<name>.scale` of shape [1]. */
export function scaleTensor(name: string, scale: number): Tensor {
  return {
    name: name + SCALE_SUFFIX,
    dtype: 'F32',
    shape: [1],
    data: Float32Array.of(scale),
  };
}
