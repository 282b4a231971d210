import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { comparePaths, unsafePathReason } from '../../src/digest/index.js';

describe('#comparePaths', () => {
  describe('when paths differ in separators and code points', () => {
    it("returns Python PurePosixPath's order", () => {
      // Order printed by Python 3.11: sorted(PurePosixPath(p) for p in ...).
      const paths = ['a-b', 'a/b', '\u{1F600}', '\uffff', 'a/b/c', 'a0', 'B'];
      expect([...paths].sort(comparePaths)).toEqual([
        'B',
        'a/b',
        'a/b/c',
        'a-b',
        'a0',
        '\uffff',
        '\u{1F600}',
      ]);
    });
  });

  describe('when given any two paths', () => {
    it('returns an antisymmetric result', () => {
      fc.assert(
        fc.property(fc.string(), fc.string(), (a, b) => {
          const ab = Math.sign(comparePaths(a, b));
          const ba = Math.sign(comparePaths(b, a));
          expect(ab + ba).toBe(0);
          expect(ab === 0).toBe(a === b);
        }),
      );
    });
  });
});

describe('#unsafePathReason', () => {
  describe('when the path is a safe relative path', () => {
    it.each(['f', 'd0/f00', 'a.b/c..d', '.hidden/x', 'ünï/コード'])(
      'returns undefined for %j',
      (p) => {
        expect(unsafePathReason(p)).toBeUndefined();
      },
    );
  });

  describe('when the path is unsafe', () => {
    it.each([
      '',
      '/etc/passwd',
      '../up',
      'a/../b',
      'a/./b',
      '.',
      'a/',
      'a//b',
      'a\\b',
      'nul\u0000',
      'esc\u001b',
      'del\u007f',
      'c1\u0085',
      'C:/x',
    ])('returns a reason for %j', (p) => {
      expect(unsafePathReason(p)).toEqual(expect.any(String));
    });
  });
});
