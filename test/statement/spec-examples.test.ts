import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  STATEMENT_TYPE,
  parseStatement,
  validateResourceDescriptor,
} from '../../src/statement/index.js';
import { TESTDATA } from '../testdata.js';

const DIR = join(TESTDATA, 'in-toto/spec-examples');

/**
 * Examples whose digests are placeholders cut short with "..." (one also
 * upper-case): invalid by the DigestSet rules the vectors test.
 */
const PLACEHOLDER_DIGESTS = new Set([
  'predicates-release-ex2.json',
  'predicates-release-ex4.json',
  'predicates-release-ex5.json',
  'predicates-svr-ex2.json',
  'predicates-svr-ex3.json',
  'predicates-svr-ex4.json',
  'v1-resource_descriptor-ex2.json',
  'v1-resource_descriptor-ex3.json',
  'v1-resource_descriptor-ex4.json',
]);

const files = (await readdir(DIR)).sort();
const docs = await Promise.all(
  files.map(async (name) => ({
    name,
    bytes: await readFile(join(DIR, name)),
  })),
);
const isV1 = (bytes: Buffer): boolean =>
  (JSON.parse(bytes.toString('utf8')) as { _type?: unknown })._type ===
  STATEMENT_TYPE;
const statements = docs.filter((d) => isV1(d.bytes));
const descriptors = docs.filter((d) => d.name.startsWith('v1-resource_'));

describe('#parseStatement on the in-toto spec examples', () => {
  it('finds nine Statement v1 examples', () => {
    expect(statements).toHaveLength(9);
  });

  describe.each(statements.filter((d) => !PLACEHOLDER_DIGESTS.has(d.name)))(
    'when $name has real digests',
    ({ bytes }) => {
      it('returns the statement as written', () => {
        expect(parseStatement(bytes)).toEqual(
          JSON.parse(bytes.toString('utf8')),
        );
      });
    },
  );

  describe.each(statements.filter((d) => PLACEHOLDER_DIGESTS.has(d.name)))(
    'when $name has placeholder digests',
    ({ bytes }) => {
      it('throws STATEMENT_DIGEST_INVALID', () => {
        expect(() => parseStatement(bytes)).toThrow(
          expect.objectContaining({ code: 'STATEMENT_DIGEST_INVALID' }),
        );
      });
    },
  );
});

describe('#validateResourceDescriptor on the spec examples', () => {
  describe.each(descriptors)('when given $name', ({ name, bytes }) => {
    const rd: unknown = JSON.parse(bytes.toString('utf8'));
    if (PLACEHOLDER_DIGESTS.has(name)) {
      it('throws STATEMENT_DIGEST_INVALID', () => {
        expect(() => validateResourceDescriptor(rd)).toThrow(
          expect.objectContaining({ code: 'STATEMENT_DIGEST_INVALID' }),
        );
      });
    } else {
      it('returns the descriptor', () => {
        expect(validateResourceDescriptor(rd)).toEqual(rd);
      });
    }
  });
});
