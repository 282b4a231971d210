/**
 * Strict parsing of a safetensors JSON header. Every value is hostile until
 * checked; nothing here throws anything but {@link DemoModelError}.
 */
import { DemoModelError } from './errors.js';
import { isRecord } from './files.js';
import {
  DTYPE_WIDTH,
  elementCount,
  isTensorDtype,
  type TensorDtype,
} from './tensor.js';

/** One checked header entry: where a tensor's bytes lie in the data. */
export interface HeaderEntry {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** Dtypes of the safetensors format that this code does not handle. */
const OTHER_DTYPES = new Set([
  'BOOL',
  'U8',
  'I16',
  'U16',
  'F16',
  'BF16',
  'U32',
  'I64',
  'U64',
  'F64',
  'F8_E4M3',
  'F8_E5M2',
]);

/**
 * Parse and check a header against a data section of `dataLength` bytes.
 *
 * @returns Entries sorted by offset, and the metadata.
 * @throws {DemoModelError} `DEMO_MODEL_INVALID`, `DEMO_MODEL_UNSUPPORTED`.
 */
export function parseHeader(
  bytes: Uint8Array,
  dataLength: number,
): { entries: HeaderEntry[]; metadata: Record<string, string> } {
  const header = decodeJson(bytes);
  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') metadata = parseMetadata(value);
    else entries.push(parseEntry(name, value));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkContiguous(entries, dataLength);
  return { entries, metadata };
}

function decodeJson(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    value = JSON.parse(text);
  } catch (cause) {
    throw new DemoModelError(
      'DEMO_MODEL_INVALID',
      'safetensors: header is not UTF-8 JSON',
      { cause },
    );
  }
  if (!isRecord(value)) throw invalid('expected the header to be an object');
  return value;
}

function parseMetadata(value: unknown): Record<string, string> {
  if (!isRecord(value)) throw invalid('expected __metadata__ to be an object');
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      throw invalid(`expected metadata ${key} to be a string`);
    }
    Object.defineProperty(out, key, {
      value: item,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function parseEntry(name: string, value: unknown): HeaderEntry {
  if (!isRecord(value)) throw invalid(`${name}: expected an object`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype === 'string' && OTHER_DTYPES.has(dtype)) {
    throw new DemoModelError(
      'DEMO_MODEL_UNSUPPORTED',
      `safetensors: ${name}: dtype ${dtype} is not handled (F32, I8, I32)`,
    );
  }
  if (!isTensorDtype(dtype)) {
    throw invalid(`${name}: unknown dtype ${JSON.stringify(dtype)}`);
  }
  const count = elementCount(shape, `safetensors: ${name}`);
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)
  ) {
    throw invalid(`${name}: expected data_offsets [begin, end]`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin || end - begin !== count * DTYPE_WIDTH[dtype]) {
    throw invalid(
      `${name}: expected ${count * DTYPE_WIDTH[dtype]} bytes, ` +
        `found offsets [${begin}, ${end}]`,
    );
  }
  return { name, dtype, shape: [...(shape as number[])], begin, end };
}

function checkContiguous(entries: HeaderEntry[], dataLength: number): void {
  let expected = 0;
  for (const entry of entries) {
    if (entry.begin !== expected) {
      throw invalid(
        `${entry.name}: expected data to start at ${expected}, ` +
          `found ${entry.begin}`,
      );
    }
    expected = entry.end;
  }
  if (expected !== dataLength) {
    throw invalid(
      `expected tensors to cover ${dataLength} data bytes, found ${expected}`,
    );
  }
}

function invalid(message: string): DemoModelError {
  return new DemoModelError('DEMO_MODEL_INVALID', `safetensors: ${message}`);
}
