import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { StatementErrorCode } from '../../src/errors.js';
import {
  validateResourceDescriptor,
  validateSlsaProvenance,
  validateStatement,
} from '../../src/statement/index.js';
import { TESTDATA } from '../testdata.js';

const DIR = join(TESTDATA, 'in-toto');

interface Vector {
  name: string;
  kind: string;
  input: unknown;
  expected: 'valid' | 'invalid';
  error: string | null;
  source: string;
}

/** The reference validator's error names, mapped to our codes. */
const ERROR_CODES: Record<string, StatementErrorCode> = {
  ErrInvalidStatementType: 'STATEMENT_TYPE_UNSUPPORTED',
  ErrSubjectRequired: 'STATEMENT_NO_SUBJECT',
  ErrDigestRequired: 'STATEMENT_INVALID',
  ErrPredicateTypeRequired: 'STATEMENT_INVALID',
  ErrPredicateRequired: 'STATEMENT_INVALID',
  ErrRDRequiredField: 'STATEMENT_DESCRIPTOR_INVALID',
  ErrInvalidDigestEncoding: 'STATEMENT_DIGEST_INVALID',
  ErrIncorrectDigestLength: 'STATEMENT_DIGEST_INVALID',
  ErrBuildDefinitionRequired: 'STATEMENT_PREDICATE_INVALID',
  ErrBuildTypeRequired: 'STATEMENT_PREDICATE_INVALID',
  ErrExternalParamsRequired: 'STATEMENT_PREDICATE_INVALID',
  ErrRunDetailsRequired: 'STATEMENT_PREDICATE_INVALID',
  ErrBuilderRequired: 'STATEMENT_PREDICATE_INVALID',
  ErrBuilderIdRequired: 'STATEMENT_PREDICATE_INVALID',
};

const VALIDATORS: Record<string, (v: unknown) => unknown> = {
  Statement: validateStatement,
  ResourceDescriptor: (v) => validateResourceDescriptor(v),
  'SLSA Provenance v1 predicate': validateSlsaProvenance,
};

const vectors = JSON.parse(
  await readFile(join(DIR, 'validation-vectors.json'), 'utf8'),
) as Vector[];

describe('in-toto validation vectors', () => {
  it('covers 26 vectors of three kinds with mapped errors', () => {
    expect(vectors).toHaveLength(26);
    for (const v of vectors) {
      expect(Object.keys(VALIDATORS)).toContain(v.kind);
      if (v.error !== null) expect(Object.keys(ERROR_CODES)).toContain(v.error);
    }
  });

  describe.each(vectors.filter((v) => v.expected === 'valid'))(
    'when $kind "$name" is valid',
    (v) => {
      it('returns the value', () => {
        expect(VALIDATORS[v.kind]?.(v.input)).toEqual(v.input);
      });
    },
  );

  describe.each(vectors.filter((v) => v.expected === 'invalid'))(
    'when $kind "$name" is invalid ($error)',
    (v) => {
      it('throws the mapped StatementError code', () => {
        const validate = VALIDATORS[v.kind];
        expect(validate).toBeDefined();
        expect(() => validate?.(v.input)).toThrow(
          expect.objectContaining({
            name: 'StatementError',
            code: ERROR_CODES[v.error ?? ''],
          }),
        );
      });
    },
  );
});
