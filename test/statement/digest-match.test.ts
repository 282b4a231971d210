import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  compareDigests,
  digestsMatch,
} from '../../src/statement/digest-match.js';

const hash = (alg: string, s: string) =>
  createHash(alg).update(s).digest('hex');
const A = {
  sha256: hash('sha256', 'a'),
  sha512: hash('sha512', 'a'),
  sha1: hash('sha1', 'a'),
  md5: hash('md5', 'a'),
};
const B = {
  sha256: hash('sha256', 'b'),
  sha512: hash('sha512', 'b'),
  sha1: hash('sha1', 'b'),
  md5: hash('md5', 'b'),
};

describe('#compareDigests', () => {
  describe('when the sets share a strong algorithm with equal values', () => {
    it('returns match with the shared algorithms, strong first', () => {
      expect(compareDigests(A, { sha1: A.sha1, sha256: A.sha256 })).toEqual({
        result: 'match',
        algorithms: ['sha256', 'sha1'],
      });
    });

    it('returns match on sha512 alone', () => {
      expect(digestsMatch({ sha512: A.sha512 }, A)).toBe(true);
    });
  });

  describe('when only weak algorithms are shared', () => {
    it.each([['sha1'], ['md5']] as const)(
      'returns weak for equal %s values: never enough on its own',
      (alg) => {
        const set = { [alg]: A[alg] };
        expect(compareDigests(set, set)).toEqual({
          result: 'weak',
          algorithms: [alg],
        });
        expect(digestsMatch(set, set)).toBe(false);
      },
    );

    it('returns weak for both weak algorithms together', () => {
      const set = { sha1: A.sha1, md5: A.md5 };
      expect(compareDigests(set, set).result).toBe('weak');
    });

    it('returns weak for sha224, shorter than SHA-256', () => {
      const set = { sha224: hash('sha224', 'a') };
      expect(compareDigests(set, set).result).toBe('weak');
    });

    it('returns weak for an unknown algorithm with equal values', () => {
      const set = { 'x-my-hash': 'anything' };
      expect(compareDigests(set, set).result).toBe('weak');
    });
  });

  describe('when a shared algorithm differs', () => {
    it('returns mismatch naming both digests, although sha256 agrees', () => {
      const expected = { sha256: A.sha256, sha512: A.sha512 };
      const actual = { sha256: A.sha256, sha512: B.sha512 };
      expect(compareDigests(expected, actual)).toEqual({
        result: 'mismatch',
        algorithm: 'sha512',
        expected: `sha512:${A.sha512}`,
        actual: `sha512:${B.sha512}`,
      });
    });

    it('returns mismatch when only the weak shared algorithm differs', () => {
      const result = compareDigests(
        { sha256: A.sha256, sha1: A.sha1 },
        { sha256: A.sha256, sha1: B.sha1 },
      );
      expect(result).toMatchObject({ result: 'mismatch', algorithm: 'sha1' });
    });

    it('returns mismatch when an unknown shared algorithm differs', () => {
      const result = compareDigests(
        { sha256: A.sha256, 'x-my-hash': '1' },
        { sha256: A.sha256, 'x-my-hash': '2' },
      );
      expect(result).toMatchObject({ result: 'mismatch' });
    });

    it('names the strongest differing algorithm first', () => {
      const result = compareDigests(B, A);
      expect(result).toMatchObject({ result: 'mismatch', algorithm: 'sha256' });
    });
  });

  describe('when nothing is shared', () => {
    it('returns disjoint', () => {
      expect(
        compareDigests({ sha256: A.sha256 }, { sha512: A.sha512 }),
      ).toEqual({ result: 'disjoint' });
      expect(compareDigests({}, {}).result).toBe('disjoint');
    });
  });

  describe('when hex is not in the case in-toto prescribes', () => {
    it('returns malformed for upper-case hex, never a match', () => {
      const upper = { sha256: A.sha256.toUpperCase() };
      expect(compareDigests(upper, upper)).toEqual({
        result: 'malformed',
        algorithm: 'sha256',
      });
      expect(digestsMatch({ sha256: A.sha256 }, upper)).toBe(false);
    });

    it.each([
      ['a short value', A.sha256.slice(2)],
      ['a long value', `${A.sha256}00`],
      ['a non-hex character', `g${A.sha256.slice(1)}`],
      ['an empty value', ''],
    ])('returns malformed for %s', (_, value) => {
      const result = compareDigests({ sha256: value }, { sha256: value });
      expect(result.result).toBe('malformed');
    });
  });

  describe('when a key is inherited, not own', () => {
    it('ignores it', () => {
      const proto = Object.create({ sha256: A.sha256 }) as Record<
        string,
        string
      >;
      expect(compareDigests({ sha256: A.sha256 }, proto).result).toBe(
        'disjoint',
      );
    });
  });
});
