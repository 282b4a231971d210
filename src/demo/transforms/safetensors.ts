/**
 * The safetensors format: an unsigned 64-bit little-endian header length,
 * a JSON header mapping each tensor name to `{dtype, shape, data_offsets}`
 * (offsets relative to the start of the data) plus an optional
 * `__metadata__` object of strings, padded with spaces to a multiple of 8
 * bytes, then the tensors' bytes.
 */
import { open } from 'node:fs/promises';
import { DemoModelError } from './errors.js';
import { writeOutput } from './files.js';
import { parseHeader } from './safetensors-header.js';
import {
  DTYPE_WIDTH,
  decodeBytes,
  tensorBytes,
  type Tensor,
} from './tensor.js';
import { basename, dirname } from 'node:path';

/** Largest header accepted, as the reference implementation: 100 MB. */
export const MAX_HEADER_BYTES = 100_000_000;

/** Largest data section read into memory: 1 GiB. */
export const MAX_DATA_BYTES = 1024 * 1024 * 1024;

/**
 * Encode tensors as safetensors bytes. Tensors are laid out by element width,
 * widest first, keeping the given order among equals, so that every tensor
 * starts aligned to its width; the header lists `__metadata__` (keys sorted)
 * and then the tensors in layout order.
 *
 * @throws {DemoModelError} `DEMO_OPTIONS_INVALID` for duplicate or reserved
 *   names, or data whose length does not match the shape.
 */
export function encodeSafetensors(
  tensors: readonly Tensor[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const ordered = layoutOrder(tensors);
  // A Map keeps insertion order even for names such as "0" or "__proto__".
  const header = new Map<string, unknown>();
  const meta = Object.keys(metadata).sort();
  if (meta.length > 0) {
    header.set(
      '__metadata__',
      Object.fromEntries(meta.map((k) => [k, metadata[k]])),
    );
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const tensor of ordered) {
    checkTensor(tensor, header);
    const bytes = tensorBytes(tensor);
    header.set(tensor.name, {
      dtype: tensor.dtype,
      shape: tensor.shape,
      data_offsets: [offset, offset + bytes.length],
    });
    chunks.push(bytes);
    offset += bytes.length;
  }
  return assemble(header, chunks, offset);
}

/**
 * Write tensors to a safetensors file at `path` (see
 * {@link encodeSafetensors}).
 *
 * @param path - The file to write; its folder is created.
 * @param tensors - Tensors with unique names.
 * @param metadata - String pairs stored as `__metadata__`.
 * @throws {DemoModelError} `DEMO_OPTIONS_INVALID`, `DEMO_WRITE_FAILED`.
 * @example
 * ```ts
 * await writeSafetensors('out/model.safetensors', tensors, { format: 'pt' });
 * ```
 */
export async function writeSafetensors(
  path: string,
  tensors: Tensor[],
  metadata?: Record<string, string>,
): Promise<void> {
  const bytes = encodeSafetensors(tensors, metadata);
  await writeOutput(dirname(path), basename(path), bytes);
}

/**
 * Decode safetensors bytes, strictly: header length within limits and the
 * file, UTF-8 JSON object, known dtypes, shapes that match the byte ranges,
 * ranges contiguous from 0 to the end of the data.
 *
 * @returns Tensors in data order, and the metadata.
 * @throws {DemoModelError} `DEMO_MODEL_INVALID` for any malformation;
 *   `DEMO_MODEL_UNSUPPORTED` for a safetensors dtype not handled here.
 */
export function decodeSafetensors(bytes: Uint8Array): {
  tensors: Tensor[];
  metadata: Record<string, string>;
} {
  const headerLength = readHeaderLength(bytes, bytes.length);
  const headerEnd = 8 + headerLength;
  const parsed = parseHeader(
    bytes.subarray(8, headerEnd),
    bytes.length - headerEnd,
  );
  const tensors = parsed.entries.map((entry) => ({
    name: entry.name,
    dtype: entry.dtype,
    shape: entry.shape,
    data: decodeBytes(
      entry.dtype,
      bytes.subarray(headerEnd + entry.begin, headerEnd + entry.end),
    ),
  }));
  return { tensors, metadata: parsed.metadata };
}

/**
 * Read a safetensors file (see {@link decodeSafetensors}). The header
 * length is checked before anything else is read.
 *
 * @throws {DemoModelError} `DEMO_MODEL_MISSING` when the file cannot be
 *   read; `DEMO_MODEL_INVALID`, `DEMO_MODEL_UNSUPPORTED` as decoding.
 * @example
 * ```ts
 * const { tensors, metadata } = await readSafetensors('model.safetensors');
 * ```
 */
export async function readSafetensors(
  path: string,
): Promise<{ tensors: Tensor[]; metadata: Record<string, string> }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    throw new DemoModelError('DEMO_MODEL_MISSING', `cannot read ${path}`, {
      cause,
    });
  }
  try {
    const { size } = await handle.stat();
    const prefix = new Uint8Array(Math.min(8, size));
    await handle.read(prefix, 0, prefix.length, 0);
    const headerLength = readHeaderLength(prefix, size);
    if (size - 8 - headerLength > MAX_DATA_BYTES) {
      throw new DemoModelError(
        'DEMO_MODEL_UNSUPPORTED',
        `expected at most ${MAX_DATA_BYTES} bytes of tensor data`,
      );
    }
    const whole = new Uint8Array(size);
    const { bytesRead } = await handle.read(whole, 0, size, 0);
    if (bytesRead !== size) throw invalid('file changed while reading');
    return decodeSafetensors(whole);
  } finally {
    await handle.close();
  }
}

/** Check the 8-byte prefix; `size` is the whole file's length. */
function readHeaderLength(prefix: Uint8Array, size: number): number {
  if (prefix.length < 8) {
    throw invalid(`expected at least 8 bytes, found ${prefix.length}`);
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const length = view.getBigUint64(0, true);
  if (length > BigInt(MAX_HEADER_BYTES)) {
    throw invalid(
      `expected a header of at most ${MAX_HEADER_BYTES} bytes, found ${length}`,
    );
  }
  if (length > BigInt(size - 8)) {
    throw invalid(`header length ${length} exceeds the file (${size} bytes)`);
  }
  return Number(length);
}

function layoutOrder(tensors: readonly Tensor[]): Tensor[] {
  return tensors
    .map((tensor, index) => ({ tensor, index }))
    .sort(
      (a, b) =>
        DTYPE_WIDTH[b.tensor.dtype] - DTYPE_WIDTH[a.tensor.dtype] ||
        a.index - b.index,
    )
    .map((x) => x.tensor);
}

function checkTensor(tensor: Tensor, header: Map<string, unknown>): void {
  const count = tensor.shape.reduce((a, b) => a * b, 1);
  if (tensor.name === '__metadata__' || header.has(tensor.name)) {
    throw new DemoModelError(
      'DEMO_OPTIONS_INVALID',
      `tensor name must be unique and not __metadata__: ${tensor.name}`,
    );
  }
  if (count !== tensor.data.length) {
    throw new DemoModelError(
      'DEMO_OPTIONS_INVALID',
      `${tensor.name}: shape holds ${count} elements, data ${tensor.data.length}`,
    );
  }
}

function assemble(
  header: Map<string, unknown>,
  chunks: readonly Uint8Array[],
  dataLength: number,
): Uint8Array {
  const members = [...header].map(
    ([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`,
  );
  const json = new TextEncoder().encode(`{${members.join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + dataLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let offset = 8 + padded;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function invalid(message: string): DemoModelError {
  return new DemoModelError('DEMO_MODEL_INVALID', `safetensors: ${message}`);
}
