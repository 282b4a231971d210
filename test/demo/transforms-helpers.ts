/**
 * Helpers of the transformation tests: temporary folders and an independent
 * reader of a safetensors file's raw bytes.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Make a temporary folder; `cleanup` removes every folder made. */
export function tempDirs(): {
  make: () => Promise<string>;
  cleanup: () => Promise<void>;
} {
  const made: string[] = [];
  return {
    make: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'mprov-transforms-'));
      made.push(dir);
      return dir;
    },
    cleanup: async () => {
      await Promise.all(
        made.splice(0).map((d) => rm(d, { recursive: true, force: true })),
      );
    },
  };
}

/** A tensor's raw entry, read without the code under test. */
export interface RawEntry {
  dtype: string;
  shape: number[];
  bytes: Buffer;
}

/** Read a safetensors file with plain Buffer and JSON calls. */
export async function rawSafetensors(
  path: string,
): Promise<Map<string, RawEntry>> {
  const file = await readFile(path);
  const n = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.subarray(8, 8 + n).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: number[] }
  >;
  const out = new Map<string, RawEntry>();
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [b, end] = e.data_offsets as [number, number];
    out.set(name, {
      dtype: e.dtype,
      shape: e.shape,
      bytes: file.subarray(8 + n + b, 8 + n + end),
    });
  }
  return out;
}

/** float32 values of a raw entry. */
export function rawF32(entry: RawEntry): number[] {
  const out: number[] = [];
  for (let i = 0; i < entry.bytes.length; i += 4) {
    out.push(entry.bytes.readFloatLE(i));
  }
  return out;
}

/** int8 values of a raw entry. */
export function rawI8(entry: RawEntry): number[] {
  return [...entry.bytes].map((b) => (b > 127 ? b - 256 : b));
}
