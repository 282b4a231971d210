/**
 * Reading TF.js weights (`<name>-weights_manifest.json` and its `.bin`
 * shards) into tensors, dequantizing as TF.js does.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DemoModelError } from './errors.js';
import { readInput, readJson } from './files.js';
import type { Tensor } from './tensor.js';
import {
  parseManifest,
  storedBytes,
  type WeightGroup,
  type WeightSpec,
} from './tfjs-manifest.js';

/** Largest buffer of one weight group read: 1 GiB. */
export const MAX_GROUP_BYTES = 1024 * 1024 * 1024;

/**
 * The absolute path of `@vladmandic/face-api`'s `model/` folder.
 *
 * @throws {DemoModelError} `DEMO_MODEL_MISSING` when the devDependency is
 *   not installed.
 * @example
 * ```ts
 * const dir = faceApiModelDir();
 * const tensors = await readTfjsModel(dir, 'tiny_face_detector_model');
 * ```
 */
export function faceApiModelDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve(
      '@vladmandic/face-api/package.json',
    );
  } catch (cause) {
    throw new DemoModelError(
      'DEMO_MODEL_MISSING',
      'expected the devDependency @vladmandic/face-api; run npm install',
      { cause },
    );
  }
  const dir = join(dirname(pkg), 'model');
  if (!existsSync(dir)) {
    throw new DemoModelError('DEMO_MODEL_MISSING', `no model folder: ${dir}`);
  }
  return dir;
}

/**
 * Read a TF.js model's weights: parse the manifest, concatenate each
 * group's shards, slice the weights in manifest order, and dequantize
 * (`uint8`/`uint16`: stored * scale + min, rounded to int32 for int32
 * weights; `float16`: widened) exactly as TF.js's `decodeWeights`.
 *
 * @param modelDir - The folder holding the manifest and shards.
 * @param name - The model's name: the manifest is
 *   `<name>-weights_manifest.json`.
 * @returns `F32` tensors for float32 weights, `I32` for int32 weights.
 * @throws {DemoModelError} `DEMO_MODEL_MISSING` for an absent file,
 *   `DEMO_MODEL_INVALID` for a malformed manifest or shard sizes that do not
 *   match, `DEMO_MODEL_UNSUPPORTED` for other dtypes or quantizations.
 */
export async function readTfjsModel(
  modelDir: string,
  name: string,
): Promise<Tensor[]> {
  return (await loadTfjsModel(modelDir, name)).tensors;
}

/**
 * As {@link readTfjsModel}, and also return the parsed manifest groups.
 *
 * @throws {DemoModelError} As {@link readTfjsModel}.
 */
export async function loadTfjsModel(
  modelDir: string,
  name: string,
): Promise<{ groups: WeightGroup[]; tensors: Tensor[] }> {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) {
    throw new DemoModelError(
      'DEMO_OPTIONS_INVALID',
      `expected a model name of letters, digits, _ . -, found ${name}`,
    );
  }
  const where = join(modelDir, `${name}-weights_manifest.json`);
  const groups = parseManifest(await readJson(where), where);
  const tensors: Tensor[] = [];
  for (const group of groups) {
    tensors.push(...(await readGroup(modelDir, group, where)));
  }
  return { groups, tensors };
}

async function readGroup(
  modelDir: string,
  group: WeightGroup,
  where: string,
): Promise<Tensor[]> {
  const expected = group.weights.reduce((n, w) => n + storedBytes(w), 0);
  if (expected > MAX_GROUP_BYTES) {
    throw new DemoModelError(
      'DEMO_MODEL_UNSUPPORTED',
      `${where}: a group of ${expected} bytes exceeds ${MAX_GROUP_BYTES}`,
    );
  }
  const shards = [];
  for (const path of group.paths) {
    shards.push(await readInput(join(modelDir, ...path.split('/'))));
  }
  const buffer = Buffer.concat(shards);
  if (buffer.length !== expected) {
    throw new DemoModelError(
      'DEMO_MODEL_INVALID',
      `${where}: weights need ${expected} bytes, shards hold ${buffer.length}`,
    );
  }
  let offset = 0;
  return group.weights.map((spec) => {
    const size = storedBytes(spec);
    const bytes = buffer.subarray(offset, offset + size);
    offset += size;
    return decodeWeight(spec, bytes, where);
  });
}

/** Decode one weight's stored bytes into a tensor. */
function decodeWeight(spec: WeightSpec, bytes: Buffer, where: string): Tensor {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const q = spec.quantization;
  const stored = (i: number): number =>
    q?.dtype === 'uint8'
      ? view.getUint8(i)
      : q?.dtype === 'uint16'
        ? view.getUint16(i * 2, true)
        : halfToFloat(view.getUint16(i * 2, true));
  const shape = [...spec.shape];
  if (spec.dtype === 'int32') {
    const data = new Int32Array(spec.count);
    for (let i = 0; i < spec.count; i++) {
      data[i] = q
        ? toInt32(stored(i) * q.scale + q.min, spec, where)
        : view.getInt32(i * 4, true);
    }
    return { name: spec.name, dtype: 'I32', shape, data };
  }
  const data = new Float32Array(spec.count);
  for (let i = 0; i < spec.count; i++) {
    if (!q) data[i] = view.getFloat32(i * 4, true);
    else if (q.dtype === 'float16') data[i] = stored(i);
    else data[i] = stored(i) * q.scale + q.min;
  }
  return { name: spec.name, dtype: 'F32', shape, data };
}

function toInt32(value: number, spec: WeightSpec, where: string): number {
  const rounded = Math.round(value);
  if (rounded < -2147483648 || rounded > 2147483647) {
    throw new DemoModelError(
      'DEMO_MODEL_INVALID',
      `${where} (${spec.name}): dequantized ${rounded} is outside int32`,
    );
  }
  return rounded;
}

/** IEEE 754 binary16 bits to a number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
