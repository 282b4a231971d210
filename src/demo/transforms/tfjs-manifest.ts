/**
 * Strict parsing of a TF.js weights manifest: an array of groups, each with
 * the shard files that concatenate into one buffer and the weights laid out
 * in it, in order.
 */
import { DemoModelError } from './errors.js';
import { isRecord } from './files.js';
import { elementCount } from './tensor.js';

/** How a weight is stored when the manifest quantizes it. */
export interface WeightQuantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  /** Dequantized value = stored * scale + min (not used for float16). */
  scale: number;
  min: number;
}

/** One checked weight entry of a manifest. */
export interface WeightSpec {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  count: number;
  quantization?: WeightQuantization;
}

/** One checked group: shard paths (relative, POSIX) and weights. */
export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

const KNOWN_UNHANDLED = new Set(['bool', 'string', 'complex64']);

/** Bytes that a weight occupies in its group's buffer. */
export function storedBytes(spec: WeightSpec): number {
  const width = spec.quantization
    ? spec.quantization.dtype === 'uint8'
      ? 1
      : 2
    : 4;
  return spec.count * width;
}

/**
 * Check a parsed manifest.
 *
 * @param value - The manifest's JSON value.
 * @param where - The manifest's path, for messages.
 * @throws {DemoModelError} `DEMO_MODEL_INVALID` for a malformed manifest;
 *   `DEMO_MODEL_UNSUPPORTED` for a dtype or quantization not handled.
 */
export function parseManifest(value: unknown, where: string): WeightGroup[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid(where, 'expected a non-empty array of weight groups');
  }
  const names = new Set<string>();
  return (value as unknown[]).map((group, i) => {
    const parsed = parseGroup(group, `${where}: group ${i}`);
    for (const spec of parsed.weights) {
      if (names.has(spec.name)) {
        throw invalid(where, `weight ${spec.name} appears twice`);
      }
      names.add(spec.name);
    }
    return parsed;
  });
}

function parseGroup(value: unknown, where: string): WeightGroup {
  if (!isRecord(value)) throw invalid(where, 'expected an object');
  const { paths, weights } = value;
  if (!Array.isArray(paths) || paths.length === 0) {
    throw invalid(where, 'expected a non-empty array of shard paths');
  }
  if (!Array.isArray(weights)) {
    throw invalid(where, 'expected an array of weights');
  }
  return {
    paths: (paths as unknown[]).map((p) => checkShardPath(p, where)),
    weights: (weights as unknown[]).map((w, i) =>
      parseWeight(w, `${where}: weight ${i}`),
    ),
  };
}

function checkShardPath(value: unknown, where: string): string {
  const ok =
    typeof value === 'string' &&
    value.length > 0 &&
    !value.startsWith('/') &&
    !/[\\\0:]/.test(value) &&
    value.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
  if (!ok) {
    throw invalid(where, `expected a relative shard path inside the folder`);
  }
  return value;
}

function parseWeight(value: unknown, where: string): WeightSpec {
  if (!isRecord(value)) throw invalid(where, 'expected an object');
  const { name, dtype, shape, quantization } = value;
  if (typeof name !== 'string' || name.length === 0) {
    throw invalid(where, 'expected a non-empty name');
  }
  const at = `${where} (${name})`;
  if (dtype !== 'float32' && dtype !== 'int32') {
    const code =
      typeof dtype === 'string' && KNOWN_UNHANDLED.has(dtype)
        ? 'DEMO_MODEL_UNSUPPORTED'
        : 'DEMO_MODEL_INVALID';
    throw new DemoModelError(
      code,
      `${at}: expected dtype float32 or int32, found ${JSON.stringify(dtype)}`,
    );
  }
  const count = elementCount(shape, at);
  const spec: WeightSpec = { name, dtype, shape: shape as number[], count };
  if (quantization !== undefined) {
    spec.quantization = parseQuantization(quantization, dtype, at);
  }
  return spec;
}

function parseQuantization(
  value: unknown,
  dtype: WeightSpec['dtype'],
  where: string,
): WeightQuantization {
  if (!isRecord(value)) throw invalid(where, 'expected quantization object');
  const { dtype: stored, scale, min } = value;
  if (stored === 'float16') {
    if (dtype !== 'float32') {
      throw new DemoModelError(
        'DEMO_MODEL_UNSUPPORTED',
        `${where}: float16 quantization of ${dtype} weights`,
      );
    }
    return { dtype: stored, scale: 1, min: 0 };
  }
  if (stored !== 'uint8' && stored !== 'uint16') {
    throw new DemoModelError(
      typeof stored === 'string'
        ? 'DEMO_MODEL_UNSUPPORTED'
        : 'DEMO_MODEL_INVALID',
      `${where}: expected quantization uint8, uint16 or float16, ` +
        `found ${JSON.stringify(stored)}`,
    );
  }
  if (!isFiniteNumber(scale) || !isFiniteNumber(min)) {
    throw invalid(where, `expected finite quantization scale and min`);
  }
  return { dtype: stored, scale, min };
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function invalid(where: string, message: string): DemoModelError {
  return new DemoModelError('DEMO_MODEL_INVALID', `${where}: ${message}`);
}
