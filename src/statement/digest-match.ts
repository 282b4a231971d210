/**
 * The one rule for comparing two digest sets (in-toto DigestSet: algorithm
 * name to hex value), used wherever this library decides that two things
 * are the same bytes: statement subjects and files on disk, a step's inputs
 * and an earlier step's outputs, policy roots, release pins, model.sig
 * manifests, DSSE subjects and artifacts.
 */

/** A digest set: algorithm name to digest value. */
export type DigestSet = Readonly<Record<string, string>>;

/**
 * Algorithms at least as strong as SHA-256, with their digest size in
 * bytes. Only these can make a match; a weaker one (`md5`, `sha1`,
 * `sha224`, git's SHA-1 object ids) or one this library does not know is
 * never enough on its own, though it must still agree when both sets have
 * it.
 */
export const STRONG_DIGESTS: ReadonlyMap<string, number> = new Map([
  ['sha256', 32],
  ['sha384', 48],
  ['sha512', 64],
  ['sha512_256', 32],
  ['sha3_256', 32],
  ['sha3_384', 48],
  ['sha3_512', 64],
  ['blake2b', 64],
]);

/** Weak algorithms the in-toto DigestSet names, and their sizes in bytes. */
const WEAK_DIGESTS: ReadonlyMap<string, number> = new Map([
  ['md5', 16],
  ['sha1', 20],
  ['sha224', 28],
  ['sha512_224', 28],
  ['sha3_224', 28],
]);

/** How two digest sets compare; only `match` means the same bytes. */
export type DigestComparison =
  | { result: 'match'; algorithms: string[] }
  | {
      result: 'mismatch';
      algorithm: string;
      /** `algorithm:value` as each set has it. */
      expected: string;
      actual: string;
    }
  | { result: 'malformed'; algorithm: string }
  | { result: 'weak'; algorithms: string[] }
  | { result: 'disjoint' };

/**
 * Compares two digest sets. They match only when they share at least one
 * strong algorithm ({@link STRONG_DIGESTS}) and every algorithm they share
 * has the same value in both. Values are compared exactly: the in-toto
 * specification prescribes lower-case hex, so a value of a known algorithm
 * that is not lower-case hex of the algorithm's size is `malformed` and
 * never matches (readers refuse it earlier, with their own codes).
 *
 * @param expected - What the evidence says (e.g. a statement subject).
 * @param actual - What was found (e.g. a file's digests).
 * @returns `match` with the shared algorithms; `mismatch` naming the first
 *   shared algorithm whose values differ, strong ones first; `malformed`;
 *   `weak` when only weak or unknown algorithms are shared; `disjoint` when
 *   none is.
 * @example
 * compareDigests({ sha256: a, sha1: b }, { sha256: a }).result; // 'match'
 */
export function compareDigests(
  expected: DigestSet,
  actual: DigestSet,
): DigestComparison {
  const shared = Object.keys(expected)
    .filter((alg) => Object.hasOwn(actual, alg))
    .sort(byStrength);
  if (shared.length === 0) return { result: 'disjoint' };
  for (const algorithm of shared) {
    const want = expected[algorithm] ?? '';
    const got = actual[algorithm] ?? '';
    if (!wellFormed(algorithm, want) || !wellFormed(algorithm, got)) {
      return { result: 'malformed', algorithm };
    }
    if (want !== got) {
      return {
        result: 'mismatch',
        algorithm,
        expected: `${algorithm}:${want}`,
        actual: `${algorithm}:${got}`,
      };
    }
  }
  if (!shared.some((alg) => STRONG_DIGESTS.has(alg))) {
    return { result: 'weak', algorithms: shared };
  }
  return { result: 'match', algorithms: shared };
}

/**
 * Whether two digest sets name the same bytes; see {@link compareDigests}.
 *
 * @example
 * digestsMatch({ sha1: a }, { sha1: a }); // false: SHA-1 alone is weak
 */
export function digestsMatch(expected: DigestSet, actual: DigestSet): boolean {
  return compareDigests(expected, actual).result === 'match';
}

/** A SHA-256 digest as a digest set. */
export function sha256Set(hex: string): DigestSet {
  return { sha256: hex };
}

/** Strong algorithms first, in {@link STRONG_DIGESTS} order, then by name. */
function byStrength(a: string, b: string): number {
  const rank = (alg: string) => {
    const i = [...STRONG_DIGESTS.keys()].indexOf(alg);
    return i < 0 ? STRONG_DIGESTS.size : i;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Known algorithms: lower-case hex of their size; others: not empty. */
function wellFormed(algorithm: string, value: string): boolean {
  const size = STRONG_DIGESTS.get(algorithm) ?? WEAK_DIGESTS.get(algorithm);
  if (size === undefined) return value !== '';
  return value.length === size * 2 && /^[0-9a-f]*$/.test(value);
}
