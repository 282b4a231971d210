/**
 * The model shapes of the digest benchmark, written into a folder: one
 * 2 GiB file; 1,000 files of 1 MiB; a model-like tree of about 3 GiB.
 * Loaded by scripts/bench-digest.ts.
 */
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** A shape: its folder (or single file) and the files in it. */
export interface Shape {
  name: string;
  /** What the library is given: the model folder, or the one file. */
  model: string;
  /** Every file, relative to `base`. */
  files: { path: string; size: number }[];
  /** The folder that `files` are relative to. */
  base: string;
}

/** Bytes the three shapes take on disk. */
export const SHAPES_BYTES = 2 * GiB + 1000 * MiB + 3 * GiB;

/** One block of noise, reused with a counter so that no two blocks match. */
const noise = randomFillSync(Buffer.allocUnsafe(16 * MiB));
let counter = 0;

function writeFile(path: string, size: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  try {
    for (let done = 0; done < size;) {
      noise.writeUInt32LE(counter++ >>> 0, 0);
      const n = Math.min(noise.length, size - done);
      done += writeSync(fd, noise, 0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** BENCH_SCALE shrinks every file (e.g. 0.01 for a quick trial of the script). */
const SCALE = Number(process.env.BENCH_SCALE ?? 1);

function build(
  name: string,
  base: string,
  model: string,
  files: Shape['files'],
): Shape {
  const scaled = files.map((f) => ({
    path: f.path,
    size: Math.max(1, Math.floor(f.size * SCALE)),
  }));
  for (const f of scaled) writeFile(join(base, f.path), f.size);
  return { name, model, files: scaled, base };
}

/** The small files of a Hugging Face style checkpoint, with sizes. */
function modelTreeFiles(): Shape['files'] {
  const files = [
    { path: 'config.json', size: 1 * KiB },
    { path: 'generation_config.json', size: 200 },
    { path: 'tokenizer.json', size: 9 * MiB },
    { path: 'tokenizer_config.json', size: 50 * KiB },
    { path: 'special_tokens_map.json', size: 500 },
    { path: 'vocab.json', size: 2 * MiB },
    { path: 'merges.txt', size: 450 * KiB },
    { path: 'model.safetensors.index.json', size: 30 * KiB },
    { path: 'README.md', size: 12 * KiB },
  ];
  for (let i = 1; i <= 4; i++) {
    const path = `model-0000${i}-of-00004.safetensors`;
    files.push({ path, size: 760 * MiB });
  }
  for (let i = 0; i < 150; i++) {
    const size = 4 * KiB + ((i * 7919) % 60) * KiB;
    files.push({ path: `onnx/layer_${i}/config.json`, size });
  }
  return files;
}

/**
 * Writes the three shapes under `root`.
 *
 * @param root - An empty folder with {@link SHAPES_BYTES} free.
 * @returns The shapes.
 */
export function buildShapes(root: string): Shape[] {
  const one = join(root, 'one-file');
  const many = join(root, 'many-files');
  const tree = join(root, 'model-tree');
  const manyFiles = Array.from({ length: 1000 }, (_, i) => ({
    path: `d${Math.floor(i / 100)}/part-${String(i).padStart(4, '0')}.bin`,
    size: MiB,
  }));
  return [
    build('one 2 GiB file', one, join(one, 'model.bin'), [
      { path: 'model.bin', size: 2 * GiB },
    ]),
    build('1,000 files of 1 MiB', many, many, manyFiles),
    build('model tree of ~3 GiB', tree, tree, modelTreeFiles()),
  ];
}

/** Reads every file once so that the runs find them in the page cache. */
export function warmPageCache(shape: Shape): void {
  const buffer = Buffer.allocUnsafe(4 * MiB);
  for (const f of shape.files) {
    const fd = openSync(join(shape.base, f.path), 'r');
    try {
      while (readSync(fd, buffer) > 0);
    } finally {
      closeSync(fd);
    }
  }
}
