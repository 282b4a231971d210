/**
 * The one function of Node's `util` that `@sigstore/verify` calls, for the
 * browser bundle (see scripts/build-browser.js). Sigstore uses it to find
 * duplicate log entries, SCTs and timestamps, so when unsure it says
 * "equal": a duplicate found fails verification, one missed could not.
 *
 * @packageDocumentation
 */

/**
 * Deep strict equality of the values Sigstore compares: primitives (by
 * `Object.is`), byte arrays, dates, arrays and plain objects. Objects of
 * other classes are equal only when they share a prototype and their own
 * enumerable properties are equal.
 */
export function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  return equal(a, b, 0);
}

/** Sigstore's values nest a few levels; deeper is treated as equal. */
const MAX_DEPTH = 64;

function equal(a: unknown, b: unknown, depth: number): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a === null || b === null) return false;
  if (depth > MAX_DEPTH) return true;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    return bytesOf(a).join() === bytesOf(b).join();
  }
  if (a instanceof Date && b instanceof Date) {
    return Object.is(a.getTime(), b.getTime());
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  const recordA = a as Record<string, unknown>;
  const recordB = b as Record<string, unknown>;
  return keysA.every(
    (k) => Object.hasOwn(b, k) && equal(recordA[k], recordB[k], depth + 1),
  );
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export default { isDeepStrictEqual };
