/**
 * Step 3b, adapter-attach: merge a LoRA adapter into its base, or ship it
 * beside the base for the runtime to apply.
 */
import { join } from 'node:path';
import { ADAPTER_CONFIG_FILE, ADAPTER_FILE, factorNames } from './adapter.js';
import { DemoModelError } from './errors.js';
import { CONFIG_FILE, MODEL_FILE } from './export.js';
import {
  copyInto,
  jsonBytes,
  prepareOutDir,
  readJsonObject,
  writeOutput,
} from './files.js';
import { loraDelta, matrixDims } from './lora.js';
import {
  SCALE_SUFFIX,
  dequantizeValues,
  quantizeValues,
  scaleTensor,
} from './quantize.js';
import { encodeSafetensors, readSafetensors } from './safetensors.js';
import { findTensor, type Tensor } from './tensor.js';

/** The folder of a side-loaded adapter inside a bundle. */
export const ADAPTER_DIR = 'adapter';

/** A checked adapter: its config's fields and its two factors. */
export interface LoadedAdapter {
  target: string;
  rank: number;
  alpha: number;
  seed: number;
  a: Float32Array;
  b: Float32Array;
}

/**
 * Attach the adapter in `adapterDir` to the model in `baseDir`.
 *
 * - `merged`: W' = W + (alpha / r) * B @ A in W's layout; an int8 target is
 *   dequantized first and requantized after (new scale); every other
 *   tensor is kept bit for bit. Writes model.safetensors and config.json.
 * - `side-loaded`: model.safetensors is copied unchanged, the adapter's
 *   files go to `adapter/`.
 *
 * Either way config.json gains `adapter: {mode, target, rank, alpha, ...}`.
 *
 * @returns The files written, POSIX paths relative to `outDir`.
 * @throws {DemoModelError} `DEMO_ADAPTER_MISMATCH` when the adapter does
 *   not fit the base; `DEMO_OPTIONS_INVALID` for an unknown mode; as
 *   readSafetensors; `DEMO_WRITE_FAILED`.
 * @example
 * ```ts
 * await attachAdapter('out/2', 'out/3-adapter', 'out/3', 'merged');
 * ```
 */
export async function attachAdapter(
  baseDir: string,
  adapterDir: string,
  outDir: string,
  mode: 'merged' | 'side-loaded',
): Promise<string[]> {
  if (mode !== 'merged' && mode !== 'side-loaded') {
    throw new DemoModelError(
      'DEMO_OPTIONS_INVALID',
      `expected mode merged or side-loaded, found ${String(mode)}`,
    );
  }
  const base = await readSafetensors(join(baseDir, MODEL_FILE));
  const config = await readJsonObject(join(baseDir, CONFIG_FILE));
  const adapter = await loadAdapter(adapterDir);
  const target = checkFits(base.tensors, adapter);
  const out = await prepareOutDir(outDir, [baseDir, adapterDir]);
  const newConfig = { ...config, adapter: adapterNote(adapter, mode) };
  const files = [await writeOutput(out, CONFIG_FILE, jsonBytes(newConfig))];
  if (mode === 'side-loaded') {
    files.push(await copyInto(baseDir, MODEL_FILE, out));
    for (const name of [ADAPTER_CONFIG_FILE, ADAPTER_FILE]) {
      const to = `${ADAPTER_DIR}/${name}`;
      files.push(await copyInto(adapterDir, name, out, to));
    }
  } else {
    const merged = mergeInto(base.tensors, target, adapter);
    const meta = { ...base.metadata, adapter_merged: adapter.target };
    const bytes = encodeSafetensors(merged, meta);
    files.push(await writeOutput(out, MODEL_FILE, bytes));
  }
  return files.sort();
}

/**
 * Read and check an adapter folder: its config's target, rank, alpha and
 * seed, and factors of shapes [rank, in] and [out, rank].
 *
 * @throws {DemoModelError} `DEMO_ADAPTER_MISMATCH` for inconsistent files;
 *   as readSafetensors.
 */
export async function loadAdapter(adapterDir: string): Promise<LoadedAdapter> {
  const config = await readJsonObject(join(adapterDir, ADAPTER_CONFIG_FILE));
  const { target, rank, alpha, seed } = config;
  if (
    typeof target !== 'string' ||
    !Number.isSafeInteger(rank) ||
    (rank as number) < 1 ||
    typeof alpha !== 'number' ||
    !Number.isFinite(alpha) ||
    !Number.isSafeInteger(seed)
  ) {
    throw mismatch('expected adapter_config target, rank, alpha and seed');
  }
  const r = rank as number;
  const { tensors } = await readSafetensors(join(adapterDir, ADAPTER_FILE));
  const names = factorNames(target);
  const a = findTensor(tensors, names.a);
  const b = findTensor(tensors, names.b);
  if (
    !(a?.data instanceof Float32Array) ||
    !(b?.data instanceof Float32Array) ||
    a.shape.length !== 2 ||
    b.shape.length !== 2 ||
    a.shape[0] !== r ||
    b.shape[1] !== r
  ) {
    throw mismatch(
      `expected F32 ${names.a} [${r}, in], ${names.b} [out, ${r}]`,
    );
  }
  return { target, rank: r, alpha, seed: seed as number, a: a.data, b: b.data };
}

function adapterNote(
  adapter: LoadedAdapter,
  mode: 'merged' | 'side-loaded',
): Record<string, unknown> {
  const { target, rank, alpha, seed } = adapter;
  const where = mode === 'side-loaded' ? { path: `${ADAPTER_DIR}/` } : {};
  return { type: 'lora', mode, target, rank, alpha, seed, ...where };
}

function checkFits(tensors: readonly Tensor[], adapter: LoadedAdapter): Tensor {
  const target = findTensor(tensors, adapter.target);
  if (!target || target.dtype === 'I32' || target.shape.length < 2) {
    throw mismatch(`the base has no weight ${adapter.target} of rank >= 2`);
  }
  const { inFeatures, outFeatures } = matrixDims(target);
  const fits =
    adapter.a.length === adapter.rank * inFeatures &&
    adapter.b.length === outFeatures * adapter.rank;
  if (!fits) {
    throw mismatch(
      `${adapter.target} is [${inFeatures} x ${outFeatures}]; ` +
        `the adapter's factors do not match`,
    );
  }
  return target;
}

function mergeInto(
  tensors: readonly Tensor[],
  target: Tensor,
  adapter: LoadedAdapter,
): Tensor[] {
  const dims = { rank: adapter.rank, ...matrixDims(target) };
  const delta = loraDelta(adapter.a, adapter.b, dims, adapter.alpha);
  const scaleName = target.name + SCALE_SUFFIX;
  const before = currentValues(tensors, target);
  const after = new Float32Array(before.length);
  for (let i = 0; i < after.length; i++) after[i] = before[i] + delta[i];
  if (target.dtype === 'F32') {
    return tensors.map((t) => (t === target ? { ...t, data: after } : t));
  }
  const { q, scale } = quantizeValues(after);
  return tensors.map((t) => {
    if (t === target) return { ...t, data: q };
    return t.name === scaleName ? scaleTensor(target.name, scale) : t;
  });
}

/** A target's values as float32: dequantized when it is int8. */
function currentValues(tensors: readonly Tensor[], target: Tensor) {
  if (target.data instanceof Float32Array) return target.data;
  const scale = findTensor(tensors, target.name + SCALE_SUFFIX);
  if (
    !(target.data instanceof Int8Array) ||
    !(scale?.data instanceof Float32Array) ||
    scale.data.length !== 1
  ) {
    throw mismatch(
      `expected an F32 ${target.name}${SCALE_SUFFIX} of shape [1]`,
    );
  }
  return dequantizeValues(target.data, scale.data[0]);
}

function mismatch(message: string): DemoModelError {
  return new DemoModelError('DEMO_ADAPTER_MISMATCH', message);
}
