import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DemoModelError,
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  writeSafetensors,
  type Tensor,
} from '../../src/demo/transforms/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-safetensors-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A file of `header` (JSON text, or bytes) followed by `data`. */
function file(header: string, data = new Uint8Array(0), length?: bigint) {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, length ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function codeOf(bytes: Uint8Array): string | undefined {
  try {
    decodeSafetensors(bytes);
    return undefined;
  } catch (error) {
    if (error instanceof DemoModelError) return error.code;
    throw error;
  }
}

const sample: Tensor[] = [
  { name: 'q', dtype: 'I8', shape: [3], data: Int8Array.of(-127, 0, 5) },
  { name: 'w', dtype: 'F32', shape: [2, 1], data: Float32Array.of(1.5, -2) },
  { name: 'n', dtype: 'I32', shape: [], data: Int32Array.of(-7) },
];

describe('writeSafetensors and readSafetensors', () => {
  it('round-trips tensors and metadata, widest dtype first', async () => {
    const path = join(dir, 'sample.safetensors');
    await writeSafetensors(path, sample, { b: '2', a: '1' });
    const { tensors, metadata } = await readSafetensors(path);
    expect(tensors.map((t) => t.name)).toEqual(['w', 'n', 'q']);
    expect(tensors.find((t) => t.name === 'q')?.data).toEqual(sample[0].data);
    expect(tensors.find((t) => t.name === 'w')?.data).toEqual(sample[1].data);
    expect(tensors.find((t) => t.name === 'n')?.shape).toEqual([]);
    expect(Object.keys(metadata)).toEqual(['a', 'b']);
  });

  it('pads the header with spaces to a multiple of 8 bytes', () => {
    const bytes = encodeSafetensors(sample);
    const length = new DataView(bytes.buffer).getBigUint64(0, true);
    expect(Number(length) % 8).toBe(0);
    expect(bytes[8 + Number(length) - 1]).toBe(0x20);
  });

  it('keeps names such as "0" and "__proto__" in order', () => {
    const odd: Tensor[] = ['b', '0', '__proto__'].map((name) => ({
      name,
      dtype: 'F32',
      shape: [1],
      data: Float32Array.of(1),
    }));
    const { tensors } = decodeSafetensors(encodeSafetensors(odd));
    expect(tensors.map((t) => t.name)).toEqual(['b', '0', '__proto__']);
  });

  it('throws DEMO_MODEL_MISSING for an absent file', async () => {
    await expect(
      readSafetensors(join(dir, 'absent.safetensors')),
    ).rejects.toMatchObject({ code: 'DEMO_MODEL_MISSING' });
  });
});

describe('decodeSafetensors, when the file is malformed', () => {
  const entry = (dtype: string, shape: number[], offsets: number[]) =>
    JSON.stringify({ t: { dtype, shape, data_offsets: offsets } });
  const four = new Uint8Array(4);

  it.each([
    ['shorter than 8 bytes', new Uint8Array(5)],
    ['a header length past the file', file('{}', four, 1000n)],
    ['a header length over the limit', file('{}', four, 100_000_001n)],
    ['a header length of 2^64 - 1', file('{}', four, 2n ** 64n - 1n)],
    ['a header that is not JSON', file('{"t":', four)],
    ['a header that is an array', file('[]')],
    ['offsets beyond the data', file(entry('F32', [1], [0, 8]), four)],
    ['offsets that do not start at 0', file(entry('I8', [2], [2, 4]), four)],
    ['offsets that leave bytes over', file(entry('I8', [2], [0, 2]), four)],
    ['offsets that do not match the shape', file(entry('F32', [2], [0, 4]))],
    ['reversed offsets', file(entry('I8', [0], [4, 0]), four)],
    ['negative offsets', file(entry('I8', [1], [-1, 0]), four)],
    ['a bad shape', file(entry('F32', [-1], [0, 4]), four)],
    ['an unknown dtype', file(entry('F33', [1], [0, 4]), four)],
    ['a non-string metadata value', file('{"__metadata__":{"a":1}}')],
  ])('refuses %s with DEMO_MODEL_INVALID', (_what, bytes) => {
    expect(codeOf(bytes)).toBe('DEMO_MODEL_INVALID');
  });

  it('refuses overlapping tensors', () => {
    const header = JSON.stringify({
      a: { dtype: 'I8', shape: [4], data_offsets: [0, 4] },
      b: { dtype: 'I8', shape: [2], data_offsets: [2, 4] },
    });
    expect(codeOf(file(header, four))).toBe('DEMO_MODEL_INVALID');
  });

  it('refuses a real dtype it does not handle as DEMO_MODEL_UNSUPPORTED', () => {
    expect(codeOf(file(entry('F16', [2], [0, 4]), four))).toBe(
      'DEMO_MODEL_UNSUPPORTED',
    );
  });

  it('refuses a file read from disk before reading past the header', async () => {
    const path = join(dir, 'huge-header.safetensors');
    await writeFile(path, file('{}', four, 2n ** 40n));
    await expect(readSafetensors(path)).rejects.toMatchObject({
      code: 'DEMO_MODEL_INVALID',
    });
  });

  it('throws only DemoModelError for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string(), (tail, s) => {
        codeOf(tail);
        codeOf(file(s, tail));
      }),
    );
  });

  it('throws only DemoModelError for header-shaped JSON', () => {
    const header = fc.dictionary(
      fc.oneof(fc.constant('__metadata__'), fc.string({ maxLength: 4 })),
      fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.record({
          dtype: fc.constantFrom('F32', 'I8', 'I32', 'F16', 'X'),
          shape: fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 3 }),
          data_offsets: fc.array(fc.integer({ min: -1, max: 16 }), {
            maxLength: 3,
          }),
        }),
      ),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 16 }), (h, data) => {
        codeOf(file(JSON.stringify(h), data));
      }),
    );
  });
});
