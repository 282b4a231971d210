import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachAdapter,
  DemoModelError,
  exportTfjs,
  faceApiModelDir,
  makeAdapter,
  quantizeInt8,
  readSafetensors,
} from '../../src/demo/transforms/index.js';

const MODEL = 'tiny_face_detector_model';
const TARGET = 'conv8/filters';
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
let adapter: string;
let merged: string;
let sideLoaded: string;

beforeAll(async () => {
  const root = await tempDir();
  [exported, quantized, adapter, merged, sideLoaded] = [
    'export',
    'quantize',
    'adapter',
    'merged',
    'side-loaded',
  ].map((d) => join(root, d)) as [string, string, string, string, string];
  await exportTfjs(faceApiModelDir(), MODEL, exported);
  await quantizeInt8(exported, quantized);
  await makeAdapter(quantized, adapter, { seed: 7 });
  await attachAdapter(quantized, adapter, merged, 'merged');
  await attachAdapter(quantized, adapter, sideLoaded, 'side-loaded');
});

afterAll(cleanup);

async function json(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

describe('makeAdapter', () => {
  it('targets the detector head with A [4 x 512] and B [25 x 4]', async () => {
    const config = await json(join(adapter, 'adapter_config.json'));
    expect(config).toMatchObject({
      target: TARGET,
      rank: 4,
      alpha: 8,
      seed: 7,
      in_features: 512,
      out_features: 25,
    });
    const raw = await rawSafetensors(join(adapter, 'adapter.safetensors'));
    expect(raw.get(`${TARGET}.lora_A`)?.shape).toEqual([4, 512]);
    expect(raw.get(`${TARGET}.lora_B`)?.shape).toEqual([25, 4]);
  });

  it('refuses a rank larger than the weight allows', async () => {
    const out = join(await tempDir(), 'a');
    await expect(
      makeAdapter(quantized, out, { rank: 26, target: TARGET }),
    ).rejects.toMatchObject({ code: 'DEMO_OPTIONS_INVALID' });
    await expect(
      makeAdapter(quantized, out, { target: 'conv8/bias' }),
    ).rejects.toBeInstanceOf(DemoModelError);
  });
});

describe('attachAdapter', () => {
  it('when merged, changes only the target, by (alpha / r) B @ A', async () => {
    const base = await rawSafetensors(join(quantized, 'model.safetensors'));
    const after = await rawSafetensors(join(merged, 'model.safetensors'));
    const changed = [...base.keys()].filter(
      (name) => !base.get(name)!.bytes.equals(after.get(name)!.bytes),
    );
    expect(changed.sort()).toEqual([TARGET, `${TARGET}.scale`]);

    // The expected weights, computed here from the raw bytes.
    const lora = await rawSafetensors(join(adapter, 'adapter.safetensors'));
    const a = rawF32(lora.get(`${TARGET}.lora_A`)!);
    const b = rawF32(lora.get(`${TARGET}.lora_B`)!);
    const oldScale = rawF32(base.get(`${TARGET}.scale`)!)[0];
    const newScale = rawF32(after.get(`${TARGET}.scale`)!)[0];
    const oldQ = rawI8(base.get(TARGET)!);
    const newQ = rawI8(after.get(TARGET)!);
    let worst = 0;
    let moved = 0;
    for (let i = 0; i < 512; i++) {
      for (let o = 0; o < 25; o++) {
        let delta = 0;
        for (let k = 0; k < 4; k++) delta += b[o * 4 + k] * a[k * 512 + i];
        const expected = oldQ[i * 25 + o] * oldScale + (8 / 4) * delta;
        const got = newQ[i * 25 + o] * newScale;
        worst = Math.max(worst, Math.abs(got - expected));
        if (newQ[i * 25 + o] !== oldQ[i * 25 + o]) moved++;
      }
    }
    expect(worst).toBeLessThanOrEqual(newScale / 2 + 1e-6);
    expect(moved).toBeGreaterThan(1000); // the delta is visible after int8
  });

  it('when merged, notes the adapter in config.json', async () => {
    const config = await json(join(merged, 'config.json'));
    expect(config['adapter']).toEqual({
      type: 'lora',
      mode: 'merged',
      target: TARGET,
      rank: 4,
      alpha: 8,
      seed: 7,
    });
  });

  it('when side-loaded, copies the base and the adapter', async () => {
    expect((await readdir(sideLoaded, { recursive: true })).sort()).toEqual([
      'adapter',
      'adapter/adapter.safetensors',
      'adapter/adapter_config.json',
      'config.json',
      'model.safetensors',
    ]);
    const same = async (from: string, to: string): Promise<boolean> =>
      (await readFile(from)).equals(await readFile(to));
    expect(
      await same(
        join(quantized, 'model.safetensors'),
        join(sideLoaded, 'model.safetensors'),
      ),
    ).toBe(true);
    expect(
      await same(
        join(adapter, 'adapter.safetensors'),
        join(sideLoaded, 'adapter', 'adapter.safetensors'),
      ),
    ).toBe(true);
    const config = await json(join(sideLoaded, 'config.json'));
    expect(config['adapter']).toMatchObject({
      mode: 'side-loaded',
      path: 'adapter/',
    });
  });

  it('merges into a float32 base without quantizing it', async () => {
    const out = join(await tempDir(), 'float-merged');
    await attachAdapter(exported, adapter, out, 'merged');
    const { tensors } = await readSafetensors(join(out, 'model.safetensors'));
    expect(tensors.find((t) => t.name === TARGET)?.dtype).toBe('F32');
  });

  it('refuses an adapter whose target the base lacks', async () => {
    const root = await tempDir();
    const other = join(root, 'other-adapter');
    await makeAdapter(quantized, other, { target: 'conv5/pointwise_filter' });
    const config = await json(join(other, 'adapter_config.json'));
    await writeFile(
      join(other, 'adapter_config.json'),
      JSON.stringify({ ...config, target: 'conv9/missing' }),
    );
    await expect(
      attachAdapter(quantized, other, join(root, 'out'), 'merged'),
    ).rejects.toMatchObject({ code: 'DEMO_ADAPTER_MISMATCH' });
  });
});
