import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { matchSubject } from '../../src/verify/dsse-subjects.js';

const TYPE = 'application/vnd.in-toto+json';
const BYTES = Buffer.from('the artifact');
const hex = (alg: string) => createHash(alg).update(BYTES).digest('hex');
const ARTIFACT = {
  digests: {
    sha256: hex('sha256'),
    sha384: hex('sha384'),
    sha512: hex('sha512'),
  },
};

const payload = (digest: Record<string, unknown>) =>
  Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'a', digest }],
      predicateType: 'https://example.com/p',
      predicate: {},
    }),
  );

const code = (digest: Record<string, unknown>) => {
  try {
    matchSubject(TYPE, payload(digest), ARTIFACT);
    return 'match';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('#matchSubject with the one digest rule', () => {
  it('returns the subject for an equal sha512 (control)', () => {
    expect(
      matchSubject(TYPE, payload({ sha512: hex('sha512') }), ARTIFACT),
    ).toEqual({ name: 'a', algorithm: 'sha512' });
  });

  it('throws VERIFY_SUBJECT_MISMATCH for upper-case hex (in-toto: lower)', () => {
    expect(code({ sha256: hex('sha256').toUpperCase() })).toBe(
      'VERIFY_SUBJECT_MISMATCH',
    );
  });

  it('throws VERIFY_SUBJECT_MISMATCH when a shared algorithm differs', () => {
    expect(
      code({
        sha256: hex('sha256'),
        sha512: createHash('sha512').digest('hex'),
      }),
    ).toBe('VERIFY_SUBJECT_MISMATCH');
  });

  it('throws VERIFY_SUBJECT_MISMATCH for a subject known only by sha1', () => {
    expect(code({ sha1: createHash('sha1').update(BYTES).digest('hex') })).toBe(
      'VERIFY_SUBJECT_MISMATCH',
    );
  });

  it('throws VERIFY_SUBJECT_MISMATCH for a digest that is not a string', () => {
    expect(code({ sha256: 5 })).toBe('VERIFY_SUBJECT_MISMATCH');
  });
});
