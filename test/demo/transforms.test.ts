import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exportTfjs,
  faceApiModelDir,
  quantizeInt8,
  readSafetensors,
  readTfjsModel,
} from '../../src/demo/transforms/index.js';

const MODEL = 'tiny_face_detector_model';
let made: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mprov-transforms-'));
  made.push(dir);
  return dir;
}
async function cleanup(): Promise<void> {
  await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
  made = [];
}

/** Read a safetensors file with plain Buffer and JSON calls. */
async function rawSafetensors(path: string): Promise<Map<string, RawEntry>> {
  const file = await readFile(path);
  const n = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.subarray(8, 8 + n).toString()) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const out = new Map<string, RawEntry>();
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [begin, end] = e.data_offsets;
    const bytes = file.subarray(8 + n + begin, 8 + n + end);
    out.set(name, { dtype: e.dtype, shape: e.shape, bytes });
  }
  return out;
}

interface RawEntry {
  dtype: string;
  shape: number[];
  bytes: Buffer;
}

const rawF32 = (e: RawEntry): number[] =>
  Array.from({ length: e.bytes.length / 4 }, (_, i) =>
    e.bytes.readFloatLE(i * 4),
  );
const rawI8 = (e: RawEntry): number[] =>
  Array.from(e.bytes, (b) => (b > 127 ? b - 256 : b));

let exported: string;
let quantized: string;
let quantizeResult: Awaited<ReturnType<typeof quantizeInt8>>;

beforeAll(async () => {
  const root = await tempDir();
  exported = join(root, '1-export');
  quantized = join(root, '2-quantize');
  await exportTfjs(faceApiModelDir(), MODEL, exported);
  quantizeResult = await quantizeInt8(exported, quantized);
});

afterAll(cleanup);

/** The manifest and .bin read here without the code under test. */
async function independentRead(name: string): Promise<number[]> {
  const dir = faceApiModelDir();
  const manifest = JSON.parse(
    await readFile(join(dir, `${MODEL}-weights_manifest.json`), 'utf8'),
  ) as {
    weights: {
      name: string;
      shape: number[];
      quantization: { scale: number; min: number };
    }[];
  }[];
  const bin = await readFile(join(dir, `${MODEL}.bin`));
  let offset = 0;
  for (const w of manifest[0].weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (w.name === name) {
      const { scale, min } = w.quantization;
      return [...bin.subarray(offset, offset + n)].map((q) =>
        Math.fround(q * scale + min),
      );
    }
    offset += n; // every weight of this model is stored as uint8
  }
  throw new Error(`no weight ${name}`);
}

describe('exportTfjs', () => {
  it('writes model.safetensors and config.json', async () => {
    expect((await readdir(exported)).sort()).toEqual([
      'config.json',
      'model.safetensors',
    ]);
    const config = JSON.parse(
      await readFile(join(exported, 'config.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(config).toMatchObject({
      architecture: MODEL,
      tensor_count: 19,
      parameter_count: 193321,
      dtype: 'float32',
      source: { format: 'tfjs-layers', package: { license: 'MIT' } },
    });
  });

  it('holds exactly the float32 values of the TF.js shards', async () => {
    const raw = await rawSafetensors(join(exported, 'model.safetensors'));
    for (const name of ['conv0/filters', 'conv8/filters', 'conv8/bias']) {
      const entry = raw.get(name)!;
      expect(entry.dtype).toBe('F32');
      expect(rawF32(entry)).toEqual(await independentRead(name));
    }
  });

  it('round-trips every tensor of readTfjsModel bit for bit', async () => {
    const source = await readTfjsModel(faceApiModelDir(), MODEL);
    const { tensors } = await readSafetensors(
      join(exported, 'model.safetensors'),
    );
    expect(tensors.map((t) => t.name)).toEqual(source.map((t) => t.name));
    tensors.forEach((t, i) => {
      expect(t.shape).toEqual(source[i].shape);
      const same = Buffer.from(t.data.buffer).equals(
        Buffer.from(source[i].data.buffer),
      );
      expect(same, t.name).toBe(true);
    });
  });
});

describe('quantizeInt8', () => {
  it('keeps each error within scale / 2 and q within [-127, 127]', async () => {
    const float = await rawSafetensors(join(exported, 'model.safetensors'));
    const int8 = await rawSafetensors(join(quantized, 'model.safetensors'));
    let worst = 0;
    for (const [name, entry] of float) {
      const q = rawI8(int8.get(name)!);
      const scale = rawF32(int8.get(`${name}.scale`)!)[0];
      const x = rawF32(entry);
      const maxAbs = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(scale).toBeCloseTo(maxAbs / 127, 6);
      let outOfRange = 0;
      let tooFar = 0;
      q.forEach((v, i) => {
        const error = Math.abs(x[i] - Math.fround(v * scale));
        if (Math.abs(v) > 127) outOfRange++;
        if (error > scale / 2 + 1e-7) tooFar++;
        worst = Math.max(worst, error);
      });
      expect({ name, outOfRange, tooFar }).toEqual({
        name,
        outOfRange: 0,
        tooFar: 0,
      });
    }
    expect(quantizeResult.tensors).toBe(19);
    expect(quantizeResult.maxAbsError).toBeCloseTo(worst, 12);
  });

  it('records the scheme in config.json', async () => {
    const config = JSON.parse(
      await readFile(join(quantized, 'config.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(config['quantization']).toMatchObject({
      scheme: 'int8-symmetric-per-tensor',
      bits: 8,
    });
  });
});
