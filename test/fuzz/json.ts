/**
 * Plain JSON values addressed by paths, for mutating bundles and
 * statements: list, read, set, delete, and serialize with a duplicated key.
 */

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}
export type Path = (string | number)[];

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const clone = (v: Json): Json => JSON.parse(JSON.stringify(v)) as Json;

/** Every path below `root`, parents before children. */
export function paths(root: Json, prefix: Path = []): Path[] {
  const children: [string | number, Json][] = Array.isArray(root)
    ? root.map((v, i) => [i, v])
    : isObject(root)
      ? Object.entries(root)
      : [];
  return children.flatMap(([k, v]) => {
    const p = [...prefix, k];
    return [p, ...paths(v, p)];
  });
}

/** Paths of the objects in `root`, the root itself first. */
export const objectPaths = (root: Json): Path[] =>
  [[], ...paths(root)].filter((p) => isObject(get(root, p)));

/** Paths of the arrays in `root`. */
export const arrayPaths = (root: Json): Path[] =>
  paths(root).filter((p) => Array.isArray(get(root, p)));

export function get(root: Json, path: Path): Json | undefined {
  let node: Json | undefined = root;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key];
    else if (isObject(node) && typeof key === 'string') {
      node = Object.hasOwn(node, key) ? node[key] : undefined;
    } else return undefined;
  }
  return node;
}

/** Sets an own property (even `__proto__`) or an array element. */
export function put(container: Json, key: string | number, value: Json): void {
  if (Array.isArray(container) && typeof key === 'number') {
    container[key] = value;
  } else if (isObject(container)) {
    Object.defineProperty(container, String(key), {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

/** A copy of `root` with the value at `path` replaced. */
export function setAt(root: Json, path: Path, value: Json): Json {
  if (path.length === 0) return value;
  const copy = clone(root);
  const parent = get(copy, path.slice(0, -1));
  if (parent !== undefined) put(parent, path.at(-1)!, value);
  return copy;
}

/** A copy of `root` without the value at `path` (array elements spliced). */
export function deleteAt(root: Json, path: Path): Json {
  const copy = clone(root);
  const parent = get(copy, path.slice(0, -1));
  const key = path.at(-1);
  if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
  else if (isObject(parent) && typeof key === 'string') delete parent[key];
  return copy;
}

/** A duplicate key to write into the object at `path`. */
export interface DuplicateKey {
  path: Path;
  key: string;
  value: Json;
}

/**
 * Compact JSON, byte for byte as `JSON.stringify` writes it, except that
 * the object at `dup.path` gets `dup.key` a second time, after its own.
 */
export function stringify(v: Json, dup?: DuplicateKey, at: Path = []): string {
  if (Array.isArray(v)) {
    return `[${v.map((x, i) => stringify(x, dup, [...at, i])).join(',')}]`;
  }
  if (!isObject(v)) return JSON.stringify(v);
  const members = Object.entries(v).map(
    ([k, x]) => `${JSON.stringify(k)}:${stringify(x, dup, [...at, k])}`,
  );
  if (dup && samePath(dup.path, at)) {
    members.push(`${JSON.stringify(dup.key)}:${JSON.stringify(dup.value)}`);
  }
  return `{${members.join(',')}}`;
}

const samePath = (a: Path, b: Path): boolean =>
  a.length === b.length && a.every((k, i) => k === b[i]);

/** A permutation of `items` drawn from `seed` (Fisher-Yates, an LCG). */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The object at `path` with its keys in the order `seed` draws. */
export function reorderKeys(root: Json, path: Path, seed: number): Json {
  const node = get(root, path);
  if (!isObject(node)) return clone(root);
  const keys = Object.keys(node);
  let order = shuffle(keys, seed);
  // Never the same order: rotate a shuffle that changed nothing.
  if (order.every((k, i) => k === keys[i]))
    order = [...keys.slice(1), ...keys.slice(0, 1)];
  const fresh: JsonObject = {};
  for (const key of order) {
    put(fresh, key, clone(node[key]));
  }
  return setAt(root, path, fresh);
}
