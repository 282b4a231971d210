/**
 * Step 1, export: TF.js weights to `model.safetensors` and `config.json`.
 */
import { join } from 'node:path';
import { isRecord, jsonBytes, prepareOutDir, readJsonObject } from './files.js';
import { encodeSafetensors } from './safetensors.js';
import { writeOutput } from './files.js';
import type { Tensor } from './tensor.js';
import { loadTfjsModel } from './tfjs.js';
import type { WeightGroup } from './tfjs-manifest.js';

/** The weights file of every bundle the transformations write. */
export const MODEL_FILE = 'model.safetensors';

/** The config file of every bundle the transformations write. */
export const CONFIG_FILE = 'config.json';

/** Name, version and license of the npm package that holds a model. */
export interface SourcePackage {
  name: string;
  version: string;
  license: string;
}

/**
 * Export a TF.js model to `outDir/model.safetensors` (the dequantized
 * float32 weights, in manifest order) and `outDir/config.json`
 * (architecture, tensor and parameter counts, source format and package).
 *
 * @param modelDir - The folder of the TF.js manifest and shards.
 * @param name - The model's name (`<name>-weights_manifest.json`).
 * @param outDir - The output folder, created if absent.
 * @returns The files written, POSIX paths relative to `outDir`.
 * @throws {DemoModelError} As {@link readTfjsModel}, and
 *   `DEMO_WRITE_FAILED`, `DEMO_OPTIONS_INVALID`.
 * @example
 * ```ts
 * await exportTfjs(faceApiModelDir(), 'tiny_face_detector_model', 'out/1');
 * ```
 */
export async function exportTfjs(
  modelDir: string,
  name: string,
  outDir: string,
): Promise<string[]> {
  const { groups, tensors } = await loadTfjsModel(modelDir, name);
  const out = await prepareOutDir(outDir, [modelDir]);
  const source = await readSourcePackage(modelDir);
  const config = exportConfig(name, groups, tensors, source);
  const metadata = { architecture: name, source_format: 'tfjs-layers' };
  return [
    await writeOutput(out, CONFIG_FILE, jsonBytes(config)),
    await writeOutput(out, MODEL_FILE, encodeSafetensors(tensors, metadata)),
  ].sort();
}

function exportConfig(
  name: string,
  groups: readonly WeightGroup[],
  tensors: readonly Tensor[],
  source: SourcePackage | undefined,
): Record<string, unknown> {
  const weights = groups.flatMap((g) => g.weights);
  const stored = new Set(weights.map((w) => w.quantization?.dtype ?? w.dtype));
  const dtypes: Record<string, number> = {};
  for (const t of tensors) dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
  return {
    architecture: name,
    format: 'safetensors',
    dtype: 'float32',
    tensor_count: tensors.length,
    parameter_count: tensors.reduce((n, t) => n + t.data.length, 0),
    tensor_dtypes: dtypes,
    source: {
      format: 'tfjs-layers',
      manifest: `${name}-weights_manifest.json`,
      shards: groups.flatMap((g) => g.paths),
      stored_dtypes: [...stored].sort(),
      ...(source ? { package: source } : {}),
    },
  };
}

/**
 * The npm package that holds `modelDir` (its parent's `package.json`), or
 * undefined when there is none or it lacks a string name and version.
 */
export async function readSourcePackage(
  modelDir: string,
): Promise<SourcePackage | undefined> {
  let pkg: Record<string, unknown>;
  try {
    pkg = await readJsonObject(join(modelDir, '..', 'package.json'));
  } catch {
    return undefined;
  }
  const { name, version, license } = pkg;
  if (typeof name !== 'string' || typeof version !== 'string') {
    return undefined;
  }
  return {
    name,
    version,
    license: typeof license === 'string' ? license : 'unknown',
  };
}

/** Whether a config's `source.package` is a {@link SourcePackage}. */
export function sourcePackageOf(
  config: Record<string, unknown>,
): SourcePackage | undefined {
  const source = config['source'];
  const pkg = isRecord(source) ? source['package'] : undefined;
  if (!isRecord(pkg)) return undefined;
  const { name, version, license } = pkg;
  if (
    typeof name !== 'string' ||
    typeof version !== 'string' ||
    typeof license !== 'string'
  ) {
    return undefined;
  }
  return { name, version, license };
}
