/**
 * Checks on relative POSIX paths that name files inside a model bundle.
 * Pure code with no Node-only imports, so statement and step code can share
 * it.
 */

/** Matches C0 control characters, DEL and C1 control characters. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Explains why `path` is not a safe relative POSIX path, or returns
 * `undefined` when it is one.
 *
 * A safe path is non-empty, not absolute, uses `/` as its only separator,
 * has no empty, `.` or `..` component and no control character.
 *
 * @param path - The candidate path.
 * @returns A short lower-case reason, or `undefined` for a safe path.
 * @example
 * unsafePathReason('d0/f00'); // undefined
 * unsafePathReason('../etc/passwd'); // "has a '..' component"
 */
export function unsafePathReason(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (path.startsWith('/')) return 'is absolute';
  if (path.includes('\\')) return 'contains a backslash';
  if (CONTROL.test(path)) return 'contains a control character';
  if (/^[A-Za-z]:/.test(path)) return 'starts with a drive letter';
  for (const part of path.split('/')) {
    if (part === '') return 'has an empty component';
    if (part === '.') return "has a '.' component";
    if (part === '..') return "has a '..' component";
  }
  return undefined;
}

/**
 * Compares two relative POSIX paths the way Python's `PurePosixPath` orders
 * them, which is the order of the OpenSSF Model Signing manifest: component
 * by component, each compared by Unicode code point.
 *
 * @param a - First path.
 * @param b - Second path.
 * @returns A negative number, zero or a positive number.
 */
export function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const c = compareCodePoints(pa[i] ?? '', pb[i] ?? '');
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/** Compares by code point; JS `<` compares UTF-16 units, which differs. */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done === true) return cb.done === true ? 0 : -1;
    if (cb.done === true) return 1;
    const d = (ca.value.codePointAt(0) ?? 0) - (cb.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
}

/**
 * The form two paths share when a file system that normalizes Unicode or
 * ignores case would take them for one file: NFC, then lower case.
 */
export function foldPath(path: string): string {
  return path.normalize('NFC').toLowerCase().normalize('NFC');
}

/**
 * The first two paths that differ but fold to the same form (see
 * {@link foldPath}), or `undefined`. Such names are refused: on another
 * system one file would silently replace the other.
 */
export function foldCollision(
  paths: Iterable<string>,
): [string, string] | undefined {
  const seen = new Map<string, string>();
  for (const path of paths) {
    const key = foldPath(path);
    const other = seen.get(key);
    if (other !== undefined && other !== path) return [other, path];
    seen.set(key, path);
  }
  return undefined;
}
