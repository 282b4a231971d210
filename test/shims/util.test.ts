import { isDeepStrictEqual as nodeEqual } from 'node:util';

import { describe, expect, it } from 'vitest';

import { isDeepStrictEqual } from '../../src/shims/util.js';

/** Pairs of the kinds of values Sigstore compares for duplicates. */
const PAIRS: [string, unknown, unknown][] = [
  [
    'equal log entry ids',
    { logID: Buffer.from('a'), body: Buffer.from('b') },
    { logID: Buffer.from('a'), body: Buffer.from('b') },
  ],
  [
    'log entry ids that differ in one byte',
    { logID: Buffer.from('a'), body: Buffer.from('b') },
    { logID: Buffer.from('a'), body: Buffer.from('c') },
  ],
  ['equal dates', new Date(5), new Date(5)],
  ['different dates', new Date(5), new Date(6)],
  ['a Buffer and a Uint8Array', Buffer.from('a'), new Uint8Array([97])],
  [
    'nested equal timestamps',
    { $case: 't', t: { at: new Date(1), n: [1, 2] } },
    { $case: 't', t: { at: new Date(1), n: [1, 2] } },
  ],
  ['arrays of another length', [1, 2], [1, 2, 3]],
  ['an extra key', { a: 1 }, { a: 1, b: undefined }],
  ['NaN and NaN', Number.NaN, Number.NaN],
  ['0 and -0', 0, -0],
  ['1 and "1"', 1, '1'],
  ['null and {}', null, {}],
  ['an object and an array', {}, []],
];

describe('#isDeepStrictEqual (util shim)', () => {
  for (const [what, a, b] of PAIRS) {
    it(`agrees with node:util for ${what}`, () => {
      expect(isDeepStrictEqual(a, b)).toBe(nodeEqual(a, b));
    });
  }
});
