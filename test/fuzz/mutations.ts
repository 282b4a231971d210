/**
 * Random mutations of a valid chain, as fast-check arbitraries: bit flips
 * in every signed or logged field, scalar edits, fields deleted, added,
 * duplicated and reordered, payloads re-encoded or edited, attestations
 * dropped, swapped between chains, forged or cut, files on disk changed.
 * Each draws plain numbers; `applyMutation` (apply.ts) maps them onto a
 * chain.
 */
import fc from 'fast-check';

import type { Json, Path } from './json.js';

const VM = 'verificationMaterial';
const TLOG: Path = [VM, 'tlogEntries', 0];

/** Base64 fields: everything a signature, log or timestamp covers. */
export const B64: Record<string, Path> = {
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
export const TEXT: Record<string, Path> = {
  checkpoint: [...TLOG, 'inclusionProof', 'checkpoint', 'envelope'],
  'payload type': ['dsseEnvelope', 'payloadType'],
  'media type': ['mediaType'],
  'log kind': [...TLOG, 'kindVersion', 'kind'],
  'log version': [...TLOG, 'kindVersion', 'version'],
  'log index': [...TLOG, 'logIndex'],
  'integrated time': [...TLOG, 'integratedTime'],
  'tree size': [...TLOG, 'inclusionProof', 'treeSize'],
};
export const SCALAR: Record<string, Path> = {
  ...TEXT,
  // Absent in the stand-in's bundles: 0, which proto3 JSON leaves out.
  'proof log index': [...TLOG, 'inclusionProof', 'logIndex'],
  'key id': ['dsseEnvelope', 'signatures', 0, 'keyid'],
};

export const LITERALS: Json[] = [
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
export type Value =
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

export const GARBAGE: string[] = [
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

/** One kind of mutation: how often it is drawn and the numbers it draws. */
function op<K extends string, R extends Record<string, unknown>>(
  weight: number,
  name: K,
  fields: { [F in keyof R]: fc.Arbitrary<R[F]> },
) {
  const arbitrary = fc.record(fields).map((r) => ({ op: name, ...r }));
  return { weight, arbitrary };
}

const n = fc.nat();
const pick = { chain: n, entry: n };

export const mutation = fc.oneof(
  op(14, 'flip-b64', {
    ...pick,
    field: fc.constantFrom(...Object.keys(B64)),
    bit: n,
  }),
  op(6, 'flip-text', {
    ...pick,
    field: fc.constantFrom(...Object.keys(TEXT)),
    bit: n,
  }),
  op(8, 'flip-byte', { ...pick, pos: n, bit: fc.nat(7) }),
  op(6, 'set', {
    ...pick,
    field: fc.constantFrom(...Object.keys(SCALAR)),
    value,
  }),
  op(8, 'delete', { ...pick, at: n }),
  op(3, 'add-field', {
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
  op(3, 'dup-key', { ...pick, at: n, key: n, same: fc.boolean() }),
  op(3, 'dup-elem', { ...pick, at: n }),
  op(3, 'reorder-keys', { ...pick, at: n, seed: n }),
  op(3, 'b64-variant', {
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
  op(8, 'payload-edit', {
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
  op(2, 'truncate', { ...pick, len: n }),
  op(2, 'drop', { ...pick }),
  op(2, 'swap', { ...pick, other: n, otherEntry: n }),
  op(2, 'add-foreign', { chain: n, other: n, otherEntry: n }),
  op(3, 'forged', { ...pick, forged: n, replace: fc.boolean() }),
  op(2, 'garbage', {
    chain: n,
    which: n,
    random: fc.uint8Array({ maxLength: 64 }),
    useRandom: fc.boolean(),
  }),
  op(2, 'temp-leftover', { ...pick, len: n, forged: fc.boolean() }),
  op(1, 'rename-entry', { ...pick }),
  op(4, 'file-flip', { chain: n, file: n, pos: n, bit: fc.nat(7) }),
  op(2, 'file-truncate', { chain: n, file: n, len: n }),
  op(2, 'file-append', {
    chain: n,
    file: n,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  op(2, 'file-delete', { chain: n, file: n }),
  op(2, 'file-add', {
    chain: n,
    name: fc.constantFrom(...NAMES),
    bytes: fc.uint8Array({ maxLength: 8 }),
  }),
  op(2, 'file-rename', { chain: n, file: n, name: fc.constantFrom(...NAMES) }),
  op(1, 'file-swap', { chain: n, file: n, other: n }),
  op(1, 'files-other', { chain: n, other: n, withStore: fc.boolean() }),
  op(1, 'file-ignored', { chain: n, name: fc.constantFrom(...IGNORED) }),
  op(1, 'file-symlink', { chain: n, file: n, outside: fc.boolean() }),
);

export type Mutation =
  typeof mutation extends fc.Arbitrary<infer T> ? T : never;
