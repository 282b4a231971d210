/**
 * Random mutations of a valid chain, as fast-check arbitraries: bit flips
 * in every signed or logged field, scalar edits, fields deleted, added,
 * duplicated and reordered, payloads re-encoded or edited, attestations
 * dropped, swapped between chains, forged or cut, files on disk changed.
 * Each draws plain numbers; {@link applyMutation} maps them onto a chain.
 */
import fc from 'fast-check';

import type { Chain, Corpus, FileMap } from './corpus.js';
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
  type Path,
} from './json.js';

const VM = 'verificationMaterial';
const TLOG: Path = [VM, 'tlogEntries', 0];

/** Base64 fields: everything a signature, log or timestamp covers. */
const B64: Record<string, Path> = {
  payload: ['dsseEnvelope', 'payload'],
  signature: ['dsseEnvelope', 'signatures', 0, 'sig'],
  certificate: [VM, 'certificate', 'rawBytes'],
  'log promise': [...TLOG, 'inclusionPromise', 'signedEntryTimestamp'],
  'log root hash': [...TLOG, 'inclusionProof', 'rootHash'],
  'log body': [...TLOG, 'canonicalizedBody'],
  'log id': [...TLOG, 'logId', 'keyId'],
  'timestamp token': [
    VM,
    'timestampVerificationData',
    'rfc3161Timestamps',
    0,
    'signedTimestamp',
  ],
};

/** Text and number fields. */
const TEXT: Record<string, Path> = {
  checkpoint: [...TLOG, 'inclusionProof', 'checkpoint', 'envelope'],
  'payload type': ['dsseEnvelope', 'payloadType'],
  'media type': ['mediaType'],
  'log kind': [...TLOG, 'kindVersion', 'kind'],
  'log version': [...TLOG, 'kindVersion', 'version'],
  'log index': [...TLOG, 'logIndex'],
  'integrated time': [...TLOG, 'integratedTime'],
  'tree size': [...TLOG, 'inclusionProof', 'treeSize'],
};
const SCALAR: Record<string, Path> = {
  ...TEXT,
  // Absent in the stand-in's bundles: 0, which proto3 JSON leaves out.
  'proof log index': [...TLOG, 'inclusionProof', 'logIndex'],
  'key id': ['dsseEnvelope', 'signatures', 0, 'keyid'],
};

const LITERALS: Json[] = [
  null,
  '',
  0,
  -1,
  true,
  [],
  {},
  '0',
  '-1',
  '99999999999999999999',
  '1e3',
  ' 1',
  '\u0000',
  'application/vnd.dev.sigstore.bundle.v0.1+json',
  'application/vnd.dev.sigstore.bundle.v0.2+json',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  'application/json',
  'application/vnd.in-toto+json',
  'text/plain',
  'dsse',
  'intoto',
  'hashedrekord',
  '0.0.1',
  '0.0.2',
  '0.2.0',
];

/** A replacement value: a literal, or the old number plus one, etc. */
type Value =
  { k: 'inc' } | { k: 'dec' } | { k: 'as-number' } | { k: 'lit'; v: Json };

const value: fc.Arbitrary<Value> = fc.oneof(
  fc.constant({ k: 'inc' as const }),
  fc.constant({ k: 'dec' as const }),
  fc.constant({ k: 'as-number' as const }),
  fc.record({
    k: fc.constant('lit' as const),
    v: fc.constantFrom(...LITERALS),
  }),
  fc.record({
    k: fc.constant('lit' as const),
    v: fc.oneof(fc.integer(), fc.string({ maxLength: 12 })),
  }),
);

/** Hostile and ordinary names for files added or renamed. */
const NAMES = [
  'extra.bin',
  'weights/extra.bin',
  'a b.txt',
  'ünïcödé.json',
  'e\u0301.bin',
  'CONFIG.JSON',
  'Config.json',
  'line\nbreak',
  'tab\there',
  'esc\u001b[31mred',
  'bell\u0007',
  '-rf',
  '.hidden',
  'deep/er/still/x',
  'back\\slash',
  '.mprovx/notes',
  '.gitx',
  'model.safetensors ',
  'model.safetensors\u200b',
];
/** Names that hashing ignores: a file there changes nothing verified. */
const IGNORED = ['.git/config', '.git/objects/ab/cd', '.mprov/notes.txt'];

const GARBAGE: string[] = [
  '',
  '{}',
  '[]',
  'null',
  '"bundle"',
  '\uFEFF{}',
  '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}',
  '{"__proto__":{"verified":true}}',
  '{"constructor":{"prototype":{"verified":true}}}',
  '['.repeat(5000) + ']'.repeat(5000),
  '{"a":'.repeat(2000) + '1' + '}'.repeat(2000),
  '{"dsseEnvelope":{"payload":"","payloadType":"","signatures":[]}}',
];

const n = fc.nat();
const pick = { chain: n, entry: n };

export const mutation = fc.oneof(
  {
    weight: 14,
    arbitrary: fc.record({
      op: fc.constant('flip-b64' as const),
      ...pick,
      field: fc.constantFrom(...Object.keys(B64)),
      bit: n,
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('flip-text' as const),
      ...pick,
      field: fc.constantFrom(...Object.keys(TEXT)),
      bit: n,
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant('flip-byte' as const),
      ...pick,
      pos: n,
      bit: fc.nat(7),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('set' as const),
      ...pick,
      field: fc.constantFrom(...Object.keys(SCALAR)),
      value,
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant('delete' as const),
      ...pick,
      at: n,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('add-field' as const),
      ...pick,
      at: n,
      key: fc.constantFrom(
        'x',
        '__proto__',
        'constructor',
        'prototype',
        'messageSignature',
        'publicKey',
      ),
      value,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('dup-key' as const),
      ...pick,
      at: n,
      key: n,
      same: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('dup-elem' as const),
      ...pick,
      at: n,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('reorder-keys' as const),
      ...pick,
      at: n,
      seed: n,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('b64-variant' as const),
      ...pick,
      field: fc.constantFrom(...Object.keys(B64)),
      variant: fc.constantFrom(
        'url',
        'no-padding',
        'url-no-padding',
        'line-breaks',
        'spaces',
      ),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant('payload-edit' as const),
      ...pick,
      how: fc.constantFrom(
        'delete',
        'set',
        'dup-elem',
        'reverse',
        'reorder',
        'add',
        'digest',
        'dup-key',
        'whitespace',
      ),
      at: n,
      seed: n,
      value,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('truncate' as const),
      ...pick,
      len: n,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('drop' as const), ...pick }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('swap' as const),
      ...pick,
      other: n,
      otherEntry: n,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('add-foreign' as const),
      chain: n,
      other: n,
      otherEntry: n,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('forged' as const),
      ...pick,
      forged: n,
      replace: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('garbage' as const),
      chain: n,
      which: n,
      random: fc.uint8Array({ maxLength: 64 }),
      useRandom: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('temp-leftover' as const),
      ...pick,
      len: n,
      forged: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('rename-entry' as const), ...pick }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('file-flip' as const),
      chain: n,
      file: n,
      pos: n,
      bit: fc.nat(7),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('file-truncate' as const),
      chain: n,
      file: n,
      len: n,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('file-append' as const),
      chain: n,
      file: n,
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('file-delete' as const),
      chain: n,
      file: n,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('file-add' as const),
      chain: n,
      name: fc.constantFrom(...NAMES),
      bytes: fc.uint8Array({ maxLength: 8 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('file-rename' as const),
      chain: n,
      file: n,
      name: fc.constantFrom(...NAMES),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('file-swap' as const),
      chain: n,
      file: n,
      other: n,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('files-other' as const),
      chain: n,
      other: n,
      withStore: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('file-ignored' as const),
      chain: n,
      name: fc.constantFrom(...IGNORED),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('file-symlink' as const),
      chain: n,
      file: n,
      outside: fc.boolean(),
    }),
  },
);

export type Mutation =
  typeof mutation extends fc.Arbitrary<infer T> ? T : never;

/** A symbolic link that replaces a file of the model. */
export interface Link {
  path: string;
  /** Another file of the model, or a copy of the file outside it. */
  to: { inside: string } | { outside: Buffer };
}

/** A mutated model: what to write to disk and verify. */
export interface Mutant {
  chain: Chain;
  /** Store entries; `name` overrides the file name `<id>.sigstore.json`. */
  entries: { bytes: Buffer; name?: string }[];
  /** Files beside the entries that are not entries (leftovers). */
  temps: { name: string; bytes: Buffer }[];
  /** The model's files when they differ from the chain's. */
  files?: FileMap;
  links: Link[];
  /** What was done, for the tally of accepted mutations. */
  label: string;
  /** A documented rule, beyond the oracle, that requires a rejection. */
  requires?: string;
}

const at = <T>(items: readonly T[], i: number): T => items[i % items.length];

const bundleOf = (b: Buffer): Json => JSON.parse(b.toString('utf8')) as Json;
const bytesOf = (j: Json): Buffer => Buffer.from(stringify(j), 'utf8');

function flipBit(bytes: Buffer, bit: number): Buffer {
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

type EntryOp = Extract<Mutation, { entry: number }>;

/** Edits one entry's bundle; returns its new bytes, label and rule. */
function editEntry(
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

const otherChain = (corpus: Corpus, self: number, other: number): Chain => {
  const n = corpus.chains.length;
  const i = other % n === self % n ? (self + 1) % n : other % n;
  return corpus.chains[i];
};

/** Maps a drawn mutation onto the corpus. */
export function applyMutation(corpus: Corpus, m: Mutation): Mutant {
  const chain = at(corpus.chains, m.chain);
  const entries: Mutant['entries'] = chain.entries.map((bytes) => ({ bytes }));
  const base: Mutant = { chain, entries, temps: [], links: [], label: m.op };
  const idx = 'entry' in m ? m.entry % entries.length : 0;
  const names = [...chain.files.keys()].sort();
  const files = new Map(chain.files);
  const file = 'file' in m ? at(names, m.file) : '';

  switch (m.op) {
    case 'drop':
      entries.splice(idx, 1);
      return base;
    case 'swap':
    case 'add-foreign': {
      const other = otherChain(corpus, m.chain, m.other);
      const bytes = at(other.entries, m.otherEntry);
      if (m.op === 'swap') entries[idx] = { bytes };
      else entries.push({ bytes });
      return base;
    }
    case 'forged': {
      const bytes = at(corpus.forged, m.forged);
      if (m.replace) entries[idx] = { bytes };
      else entries.push({ bytes });
      return { ...base, label: m.replace ? 'forged replace' : 'forged add' };
    }
    case 'garbage': {
      const bytes = m.useRandom
        ? Buffer.from(m.random)
        : Buffer.from(at(GARBAGE, m.which), 'utf8');
      entries.push({ bytes });
      return base;
    }
    case 'temp-leftover': {
      const whole = m.forged ? at(corpus.forged, m.len) : entries[idx].bytes;
      const bytes = m.forged ? whole : whole.subarray(0, m.len % whole.length);
      const name = `.${'f'.repeat(64)}.${(m.len % 65536).toString(16)}.tmp`;
      base.temps.push({ name, bytes });
      return {
        ...base,
        label: m.forged ? 'temp-leftover whole forged' : 'temp-leftover cut',
      };
    }
    case 'rename-entry':
      entries[idx] = {
        bytes: entries[idx].bytes,
        name: 'renamed.sigstore.json',
      };
      return base;
    case 'file-flip':
      files.set(file, flipBit(files.get(file)!, m.pos));
      return { ...base, files };
    case 'file-truncate': {
      const bytes = files.get(file)!;
      files.set(file, bytes.subarray(0, m.len % bytes.length));
      return { ...base, files };
    }
    case 'file-append':
      files.set(file, Buffer.concat([files.get(file)!, Buffer.from(m.bytes)]));
      return { ...base, files };
    case 'file-delete':
      files.delete(file);
      return { ...base, files };
    case 'file-add':
      files.set(m.name, Buffer.from(m.bytes));
      return { ...base, files, label: `file-add ${JSON.stringify(m.name)}` };
    case 'file-rename': {
      const bytes = files.get(file)!;
      files.delete(file);
      files.set(m.name, bytes);
      return { ...base, files, label: `file-rename ${JSON.stringify(m.name)}` };
    }
    case 'file-swap': {
      const a = file;
      const b =
        names.find((x) => x !== a && x === at(names, m.other)) ??
        names.find((x) => x !== a)!;
      files.set(a, chain.files.get(b)!);
      files.set(b, chain.files.get(a)!);
      return { ...base, files };
    }
    case 'files-other': {
      const other = otherChain(corpus, m.chain, m.other);
      const label = m.withStore ? 'files-other with its store' : 'files-other';
      const swapped = m.withStore
        ? other.entries.map((bytes) => ({ bytes }))
        : entries;
      return { ...base, entries: swapped, files: new Map(other.files), label };
    }
    case 'file-ignored':
      files.set(m.name, Buffer.from('ignored'));
      return { ...base, files, label: `file-ignored ${m.name}` };
    case 'file-symlink': {
      const bytes = files.get(file)!;
      files.delete(file);
      const to = m.outside
        ? { outside: bytes }
        : { inside: names.find((x) => x !== file)! };
      return {
        ...base,
        files,
        links: [{ path: file, to }],
        label: `file-symlink ${m.outside ? 'outside' : 'inside'}`,
        requires: 'a symbolic link in the model is refused',
      };
    }
    default: {
      const edited = editEntry(entries[idx].bytes, m);
      entries[idx] = { bytes: edited.bytes };
      return { ...base, label: edited.label, requires: edited.requires };
    }
  }
}
