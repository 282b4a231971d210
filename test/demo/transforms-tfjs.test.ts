import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DemoModelError,
  faceApiModelDir,
  readTfjsModel,
} from '../../src/demo/transforms/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-tfjs-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Write a manifest `name` and its shards (name -> bytes). */
async function model(
  name: string,
  manifest: unknown,
  shards: Record<string, number[]> = {},
): Promise<void> {
  await writeFile(
    join(dir, `${name}-weights_manifest.json`),
    JSON.stringify(manifest),
  );
  for (const [file, bytes] of Object.entries(shards)) {
    await writeFile(join(dir, file), Uint8Array.from(bytes));
  }
}

async function codeOf(name: string): Promise<string | undefined> {
  try {
    await readTfjsModel(dir, name);
    return undefined;
  } catch (error) {
    if (error instanceof DemoModelError) return error.code;
    throw error;
  }
}

const le16 = (...v: number[]) => v.flatMap((x) => [x & 0xff, x >> 8]);
const f32 = (...v: number[]) => [
  ...new Uint8Array(Float32Array.from(v).buffer),
];
const i32 = (...v: number[]) => [...new Uint8Array(Int32Array.from(v).buffer)];

describe('readTfjsModel', () => {
  it('reads every face-api model', async () => {
    const counts: Record<string, number> = {};
    for (const name of [
      'tiny_face_detector_model',
      'ssd_mobilenetv1_model',
      'face_landmark_68_tiny_model',
      'face_expression_model',
    ]) {
      counts[name] = (await readTfjsModel(faceApiModelDir(), name)).length;
    }
    expect(counts).toEqual({
      tiny_face_detector_model: 19,
      ssd_mobilenetv1_model: 151,
      face_landmark_68_tiny_model: 28,
      face_expression_model: 49,
    });
  });

  it('dequantizes int32 constants with rounding (ssd_mobilenetv1)', async () => {
    const tensors = await readTfjsModel(
      faceApiModelDir(),
      'ssd_mobilenetv1_model',
    );
    const value = (name: string) => {
      const t = tensors.find((x) => x.name === name);
      return { dtype: t?.dtype, values: [...(t?.data ?? [])] };
    };
    // The graph's input size (512 x 512) and a slice size of "all" (-1).
    expect(value('Preprocessor/ResizeImage/size')).toEqual({
      dtype: 'I32',
      values: [512, 512],
    });
    expect(value('Postprocessor/Slice/size')).toEqual({
      dtype: 'I32',
      values: [-1, -1, -1],
    });
  });

  it('decodes float32, int32, uint16 and float16 over two shards', async () => {
    await model(
      'mixed',
      [
        {
          paths: ['mixed-1.bin', 'mixed-2.bin'],
          weights: [
            { name: 'f', shape: [2], dtype: 'float32' },
            { name: 'i', shape: [1], dtype: 'int32' },
            {
              name: 'u',
              shape: [2],
              dtype: 'float32',
              quantization: { dtype: 'uint16', scale: 0.5, min: -1 },
            },
            {
              name: 'h',
              shape: [6],
              dtype: 'float32',
              quantization: { dtype: 'float16' },
            },
          ],
        },
      ],
      {
        'mixed-1.bin': [...f32(1.25, -3), ...i32(-9)].slice(0, 5),
        'mixed-2.bin': [
          ...[...f32(1.25, -3), ...i32(-9)].slice(5),
          ...le16(0, 65535),
          ...le16(0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x8000),
        ],
      },
    );
    const byName = Object.fromEntries(
      (await readTfjsModel(dir, 'mixed')).map((t) => [t.name, [...t.data]]),
    );
    expect(byName).toEqual({
      f: [1.25, -3],
      i: [-9],
      u: [-1, 32766.5],
      h: [1, -2, 65504, 2 ** -24, Infinity, -0],
    });
  });

  it.each([
    ['a manifest that is not JSON', 'x{', 'DEMO_MODEL_INVALID'],
    ['an empty manifest', [], 'DEMO_MODEL_INVALID'],
    ['a shard path out of the folder', group('../x.bin'), 'DEMO_MODEL_INVALID'],
    ['an absolute shard path', group('/etc/passwd'), 'DEMO_MODEL_INVALID'],
    ['an absent shard', group('absent.bin'), 'DEMO_MODEL_MISSING'],
    ['a shard of the wrong size', group('four.bin', 2), 'DEMO_MODEL_INVALID'],
    ['duplicate names', group('four.bin', 0, 2), 'DEMO_MODEL_INVALID'],
    [
      'a bool weight',
      group('four.bin', 4, 1, 'bool'),
      'DEMO_MODEL_UNSUPPORTED',
    ],
    ['a bad dtype', group('four.bin', 4, 1, 7), 'DEMO_MODEL_INVALID'],
    [
      'an int4 quantization',
      quant({ dtype: 'int4' }),
      'DEMO_MODEL_UNSUPPORTED',
    ],
    [
      'a quantization without scale',
      quant({ dtype: 'uint8', min: 0 }),
      'DEMO_MODEL_INVALID',
    ],
  ])('refuses %s', async (_what, manifest, code) => {
    await writeFile(join(dir, 'four.bin'), new Uint8Array(4));
    if (typeof manifest === 'string') {
      await writeFile(join(dir, 'bad-weights_manifest.json'), manifest);
    } else {
      await model('bad', manifest);
    }
    expect(await codeOf('bad')).toBe(code);
  });

  it('refuses an absent manifest and a name with a path', async () => {
    expect(await codeOf('absent')).toBe('DEMO_MODEL_MISSING');
    expect(await codeOf('../bad')).toBe('DEMO_OPTIONS_INVALID');
  });

  it('throws only DemoModelError for arbitrary JSON manifests', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        await model('fuzz', value);
        await codeOf('fuzz');
      }),
      { numRuns: 50 },
    );
  });
});

/** One group over `path` with `count` float32 weights of `size` elements. */
function group(path: string, size = 1, count = 1, dtype: unknown = 'float32') {
  const weights = Array.from({ length: count }, () => ({
    name: 'w',
    shape: [size],
    dtype,
  }));
  return [{ paths: [path], weights }];
}

function quant(quantization: Record<string, unknown>) {
  const weights = [{ name: 'w', shape: [4], dtype: 'float32', quantization }];
  return [{ paths: ['four.bin'], weights }];
}
