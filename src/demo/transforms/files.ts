/**
 * File helpers for the transformations: reading inputs with typed errors,
 * writing outputs only inside the output folder, deterministic JSON.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DemoModelError } from './errors.js';

/** Largest JSON file (manifest, config) read: 16 MiB. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

/**
 * Create `outDir` and check that it is not one of the input folders, so a
 * step never overwrites what it reads.
 *
 * @throws {DemoModelError} `DEMO_OPTIONS_INVALID` or `DEMO_WRITE_FAILED`.
 */
export async function prepareOutDir(
  outDir: string,
  inputs: readonly string[],
): Promise<string> {
  const out = resolve(outDir);
  if (inputs.some((input) => resolve(input) === out)) {
    throw new DemoModelError(
      'DEMO_OPTIONS_INVALID',
      `expected an output folder apart from the inputs, found ${out}`,
    );
  }
  try {
    await mkdir(out, { recursive: true });
  } catch (cause) {
    throw new DemoModelError('DEMO_WRITE_FAILED', `cannot create ${out}`, {
      cause,
    });
  }
  return out;
}

/**
 * Read a whole input file.
 *
 * @throws {DemoModelError} `DEMO_MODEL_MISSING` when it cannot be read.
 */
export async function readInput(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new DemoModelError('DEMO_MODEL_MISSING', `cannot read ${path}`, {
      cause,
    });
  }
}

/**
 * Read and parse a JSON file of at most {@link MAX_JSON_BYTES}.
 *
 * @throws {DemoModelError} `DEMO_MODEL_MISSING` or `DEMO_MODEL_INVALID`.
 */
export async function readJson(path: string): Promise<unknown> {
  const bytes = await readInput(path);
  if (bytes.length > MAX_JSON_BYTES) {
    throw new DemoModelError(
      'DEMO_MODEL_INVALID',
      `${path}: expected at most ${MAX_JSON_BYTES} bytes, found ${bytes.length}`,
    );
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new DemoModelError('DEMO_MODEL_INVALID', `${path}: not JSON`, {
      cause,
    });
  }
}

/**
 * Read a JSON file whose top level must be an object.
 *
 * @throws {DemoModelError} `DEMO_MODEL_MISSING` or `DEMO_MODEL_INVALID`.
 */
export async function readJsonObject(
  path: string,
): Promise<Record<string, unknown>> {
  const value = await readJson(path);
  if (!isRecord(value)) {
    throw new DemoModelError(
      'DEMO_MODEL_INVALID',
      `${path}: expected a JSON object at the top level`,
    );
  }
  return value;
}

/** Whether `value` is a plain (non-array, non-null) object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON text with two-space indent and a final newline, as bytes. */
export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Write `bytes` to `rel` (a POSIX relative path) inside `outDir`, creating
 * subfolders. Returns `rel`.
 *
 * @throws {DemoModelError} `DEMO_OPTIONS_INVALID` for a path that leaves
 *   `outDir`; `DEMO_WRITE_FAILED` when writing fails.
 */
export async function writeOutput(
  outDir: string,
  rel: string,
  bytes: Uint8Array,
): Promise<string> {
  const path = resolve(outDir, ...rel.split('/'));
  const back = relative(resolve(outDir), path);
  const leaves = back === '..' || back.startsWith(`..${sep}`);
  if (back === '' || leaves || isAbsolute(back)) {
    throw new DemoModelError(
      'DEMO_OPTIONS_INVALID',
      `expected a path inside the output folder, found ${rel}`,
    );
  }
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  } catch (cause) {
    throw new DemoModelError('DEMO_WRITE_FAILED', `cannot write ${path}`, {
      cause,
    });
  }
  return rel;
}

/** Copy the file `rel` of `fromDir` to the same `rel` inside `outDir`. */
export async function copyInto(
  fromDir: string,
  rel: string,
  outDir: string,
  toRel: string = rel,
): Promise<string> {
  const bytes = await readInput(join(fromDir, ...rel.split('/')));
  return writeOutput(outDir, toRel, bytes);
}
