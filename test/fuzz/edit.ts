/**
 * Edits of one stored bundle, or of the statement inside its payload, for
 * the mutations that target a single attestation.
 */
import {
  arrayPaths,
  clone,
  deleteAt,
  get,
  objectPaths,
  paths,
  put,
  reorderKeys,
  setAt,
  stringify,
  type Json,
  type JsonObject,
} from './json.js';
import {
  B64,
  LITERALS,
  SCALAR,
  TEXT,
  type Mutation,
  type Value,
} from './mutations.js';

/** The item at `i`, wrapping around. */
export const at = <T>(items: readonly T[], i: number): T =>
  items[i % items.length];

const bundleOf = (b: Buffer): Json => JSON.parse(b.toString('utf8')) as Json;
const bytesOf = (j: Json): Buffer => Buffer.from(stringify(j), 'utf8');

/** `bytes` with one bit flipped (a byte added to an empty buffer). */
export function flipBit(bytes: Buffer, bit: number): Buffer {
  const out = Buffer.from(bytes.length === 0 ? Buffer.from([0]) : bytes);
  const i = bit % (out.length * 8);
  out[i >> 3] ^= 1 << (i & 7);
  return out;
}

function describeValue(v: Value): string {
  if (v.k !== 'lit') return v.k;
  return LITERALS.includes(v.v) ? JSON.stringify(v.v).slice(0, 60) : 'random';
}

function resolveValue(v: Value, old: Json | undefined): Json {
  const numeric = typeof old === 'string' && /^-?\d+$/.test(old);
  switch (v.k) {
    case 'lit':
      return clone(v.v);
    case 'as-number':
      return numeric ? Number(old) : 0;
    default: {
      const d = v.k === 'inc' ? 1n : -1n;
      if (numeric) return String(BigInt(old) + d);
      if (typeof old === 'number') return old + Number(d);
      return `${typeof old === 'string' ? old : ''}x`;
    }
  }
}

function reencode(s: string, variant: string): string {
  const bytes = Buffer.from(s, 'base64');
  const std = bytes.toString('base64');
  const url = bytes.toString('base64url');
  switch (variant) {
    case 'url':
      return url.padEnd(Math.ceil(url.length / 4) * 4, '=');
    case 'no-padding':
      return std.replace(/=+$/, '');
    case 'url-no-padding':
      return url;
    case 'line-breaks':
      return std.replace(/(.{64})/g, '$1\n');
    default:
      return std.replace(/(.{16})/g, '$1 ');
  }
}

/** Applies a JSON-level edit of a statement; returns its new bytes. */
function editStatement(
  stmt: Json,
  m: Extract<Mutation, { op: 'payload-edit' }>,
): string {
  const all = paths(stmt);
  const arrays = arrayPaths(stmt).filter(
    (p) => (get(stmt, p) as Json[]).length > 0,
  );
  const objects = objectPaths(stmt);
  switch (m.how) {
    case 'delete':
      return stringify(deleteAt(stmt, at(all, m.at)));
    case 'set': {
      const p = at(all, m.at);
      return stringify(setAt(stmt, p, resolveValue(m.value, get(stmt, p))));
    }
    case 'dup-elem': {
      const p = at(arrays, m.at);
      const list = get(stmt, p) as Json[];
      return stringify(setAt(stmt, p, [...list, at(list, m.seed)]));
    }
    case 'reverse': {
      const long = arrays.filter((q) => (get(stmt, q) as Json[]).length > 1);
      const p = at(long.length > 0 ? long : arrays, m.at);
      return stringify(setAt(stmt, p, [...(get(stmt, p) as Json[])].reverse()));
    }
    case 'reorder':
      return stringify(reorderKeys(stmt, at(objects, m.at), m.seed));
    case 'add': {
      const copy = clone(stmt);
      const key = m.seed % 2 === 0 ? 'x' : '__proto__';
      put(get(copy, at(objects, m.at))!, key, resolveValue(m.value, undefined));
      return stringify(copy);
    }
    case 'digest': {
      const digests = all.filter((p) => p.at(-1) === 'sha256');
      const p = at(digests, m.at);
      const hex = get(stmt, p) as string;
      const i = m.seed % hex.length;
      const c = hex[i] === '0' ? '1' : '0';
      return stringify(setAt(stmt, p, hex.slice(0, i) + c + hex.slice(i + 1)));
    }
    case 'dup-key': {
      const p = at(objects, m.at);
      const node = get(stmt, p) as JsonObject;
      const key = at(Object.keys(node), m.seed);
      return stringify(stmt, { path: p, key, value: node[key]! });
    }
    default:
      return JSON.stringify(stmt, null, 1);
  }
}

/** A mutation of one entry's bytes. */
export type EntryOp = Extract<Mutation, { entry: number }>;

/** Edits one entry's bundle; returns its new bytes, label and rule. */
export function editEntry(
  bytes: Buffer,
  m: EntryOp,
): { bytes: Buffer; label: string; requires?: string } {
  const b = bundleOf(bytes);
  switch (m.op) {
    case 'flip-b64': {
      const p = B64[m.field];
      const old = get(b, p);
      if (typeof old !== 'string') return { bytes, label: `absent ${m.field}` };
      const flipped = flipBit(Buffer.from(old, 'base64'), m.bit);
      const label = `flip-b64 ${m.field}`;
      return { bytes: bytesOf(setAt(b, p, flipped.toString('base64'))), label };
    }
    case 'flip-text': {
      const p = TEXT[m.field];
      const old = get(b, p);
      if (typeof old !== 'string') return { bytes, label: `absent ${m.field}` };
      const text = flipBit(Buffer.from(old, 'utf8'), m.bit).toString('utf8');
      return { bytes: bytesOf(setAt(b, p, text)), label: `flip ${m.field}` };
    }
    case 'flip-byte':
      return { bytes: flipBit(bytes, m.pos), label: 'flip-byte' };
    case 'truncate':
      return {
        bytes: bytes.subarray(0, m.len % bytes.length),
        label: 'truncate',
      };
    case 'set': {
      const p = SCALAR[m.field];
      const v = resolveValue(m.value, get(b, p));
      const label = `set ${m.field} = ${describeValue(m.value)}`;
      return { bytes: bytesOf(setAt(b, p, v)), label };
    }
    case 'delete': {
      const p = at(paths(b), m.at);
      return { bytes: bytesOf(deleteAt(b, p)), label: `delete ${p.join('.')}` };
    }
    case 'add-field': {
      const copy = clone(b);
      const p = at(objectPaths(b), m.at);
      put(get(copy, p)!, m.key, resolveValue(m.value, undefined));
      const where = [...p, m.key].join('.');
      return { bytes: bytesOf(copy), label: `add-field ${where}` };
    }
    case 'dup-key': {
      const p = at(objectPaths(b), m.at);
      const node = get(b, p) as JsonObject;
      const key = at(Object.keys(node), m.key);
      const value = m.same ? node[key]! : null;
      return {
        bytes: Buffer.from(stringify(b, { path: p, key, value })),
        label: `dup-key ${[...p, key].join('.')}`,
        requires: 'strict JSON: a duplicate key is refused',
      };
    }
    case 'dup-elem': {
      const arrays = arrayPaths(b).filter(
        (p) => (get(b, p) as Json[]).length > 0,
      );
      const p = at(arrays, m.at);
      const list = get(b, p) as Json[];
      const label = `dup-elem ${p.join('.')}`;
      return { bytes: bytesOf(setAt(b, p, [...list, list[0]!])), label };
    }
    case 'reorder-keys': {
      const p = at(objectPaths(b), m.at);
      const label = `reorder-keys ${p.join('.') || '(root)'}`;
      return { bytes: bytesOf(reorderKeys(b, p, m.seed)), label };
    }
    case 'b64-variant': {
      const p = B64[m.field];
      const old = get(b, p);
      if (typeof old !== 'string') return { bytes, label: `absent ${m.field}` };
      const label = `b64-variant ${m.field} ${m.variant}`;
      return { bytes: bytesOf(setAt(b, p, reencode(old, m.variant))), label };
    }
    case 'payload-edit': {
      const p = B64.payload;
      const stmt = JSON.parse(
        Buffer.from(get(b, p) as string, 'base64').toString('utf8'),
      ) as Json;
      const text = editStatement(stmt, m);
      const encoded = Buffer.from(text, 'utf8').toString('base64');
      return {
        bytes: bytesOf(setAt(b, p, encoded)),
        label: `payload ${m.how}`,
      };
    }
    default:
      return { bytes, label: m.op };
  }
}
