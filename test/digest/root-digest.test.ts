import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { combineDigests as fromNodeEntry } from '../../src/digest/index.js';
import { combineDigests } from '../../src/digest/root-digest.js';

const A = createHash('sha256').update('a').digest('hex');
const B = createHash('sha512').update('b').digest('hex');

describe('#combineDigests', () => {
  it('is the one function behind the Node entry and the core', () => {
    expect(fromNodeEntry).toBe(combineDigests);
  });

  it('returns SHA-256 over the raw digest bytes, in order', () => {
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from(A, 'hex'), Buffer.from(B, 'hex')]))
      .digest('hex');
    expect(combineDigests([A, B])).toBe(expected);
    expect(combineDigests([B, A])).not.toBe(expected);
  });

  it('returns the SHA-256 of nothing for no digest', () => {
    expect(combineDigests([])).toBe(createHash('sha256').digest('hex'));
  });

  it.each([['A'.repeat(64)], ['abc'], [''], [42]])(
    'throws DIGEST_MALFORMED for %s',
    (bad) => {
      expect(() => combineDigests([A, bad as string])).toThrow(
        expect.objectContaining({ code: 'DIGEST_MALFORMED' }),
      );
    },
  );
});
