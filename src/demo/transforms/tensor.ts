/**
 * The in-memory tensor shared by every transformation, and helpers on
 * shapes and dtypes.
 */
import { DemoModelError } from './errors.js';

/** Element types, named as in safetensors. */
export type TensorDtype = 'F32' | 'I8' | 'I32';

/**
 * One named tensor, row-major. `I32` carries the integer constants that some
 * TF.js graph models hold (shapes, axes); weights are `F32` or `I8`.
 */
export interface Tensor {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  data: Float32Array | Int8Array | Int32Array;
}

/** Bytes per element of each dtype. */
export const DTYPE_WIDTH: Readonly<Record<TensorDtype, number>> = {
  F32: 4,
  I8: 1,
  I32: 4,
};

/** Whether `value` names a dtype this code handles. */
export function isTensorDtype(value: unknown): value is TensorDtype {
  return value === 'F32' || value === 'I8' || value === 'I32';
}

/**
 * Number of elements of `shape`, checked: every dimension a non-negative
 * safe integer and the product a safe integer.
 *
 * @throws {DemoModelError} `DEMO_MODEL_INVALID` for a malformed shape.
 */
export function elementCount(shape: unknown, what: string): number {
  if (!Array.isArray(shape)) {
    throw invalid(`${what}: expected a shape array, found ${typeof shape}`);
  }
  let count = 1;
  for (const dim of shape as unknown[]) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw invalid(`${what}: expected non-negative integer dimensions`);
    }
    count *= dim;
    if (!Number.isSafeInteger(count)) {
      throw invalid(`${what}: element count exceeds the safe integer range`);
    }
  }
  return count;
}

/** A typed array of `count` zeros for `dtype`. */
export function allocate(
  dtype: TensorDtype,
  count: number,
): Float32Array | Int8Array | Int32Array {
  if (dtype === 'F32') return new Float32Array(count);
  if (dtype === 'I8') return new Int8Array(count);
  return new Int32Array(count);
}

/** The little-endian bytes of a tensor's data. */
export function tensorBytes(tensor: Tensor): Uint8Array {
  const { data } = tensor;
  const out = new Uint8Array(data.length * DTYPE_WIDTH[tensor.dtype]);
  const view = new DataView(out.buffer);
  if (data instanceof Int8Array) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.length));
  } else if (data instanceof Float32Array) {
    data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  } else {
    data.forEach((v, i) => view.setInt32(i * 4, v, true));
  }
  return out;
}

/** Decode little-endian bytes into a fresh typed array of `dtype`. */
export function decodeBytes(
  dtype: TensorDtype,
  bytes: Uint8Array,
): Float32Array | Int8Array | Int32Array {
  const count = bytes.length / DTYPE_WIDTH[dtype];
  const out = allocate(dtype, count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < count; i++) {
    if (dtype === 'F32') out[i] = view.getFloat32(i * 4, true);
    else if (dtype === 'I32') out[i] = view.getInt32(i * 4, true);
    else out[i] = view.getInt8(i);
  }
  return out;
}

/** Find a tensor by name. */
export function findTensor(
  tensors: readonly Tensor[],
  name: string,
): Tensor | undefined {
  return tensors.find((t) => t.name === name);
}

function invalid(message: string): DemoModelError {
  return new DemoModelError('DEMO_MODEL_INVALID', message);
}
