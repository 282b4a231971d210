import { describe, expect, it } from 'vitest';

import { StatementError } from '../../src/errors.js';
import { validateSlsaProvenance } from '../../src/statement/index.js';

const valid = {
  buildDefinition: {
    buildType: 'https://example.com/bt/v1',
    externalParameters: {},
    internalParameters: { k: 'v' },
    resolvedDependencies: [{ name: 'in', digest: { sha256: 'cd'.repeat(32) } }],
  },
  runDetails: {
    builder: { id: 'https://ci.example/b', version: { ci: '1.2' } },
    metadata: {
      invocationId: 'run-1',
      startedOn: '2025-01-02T03:04:05Z',
      finishedOn: '2025-01-02T03:04:06.123+01:00',
    },
    byproducts: [{ name: 'log', digest: { sha256: 'ef'.repeat(32) } }],
  },
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof StatementError ? e.code : 'not a StatementError';
  }
  return undefined;
}

const withRun = (patch: object): object => ({
  ...valid,
  runDetails: { ...valid.runDetails, ...patch },
});

describe('#validateSlsaProvenance', () => {
  describe('when every field is present and well-formed', () => {
    it('returns the predicate', () => {
      expect(validateSlsaProvenance(valid)).toEqual(valid);
    });
  });

  describe('when an optional field is malformed', () => {
    it.each([
      [
        'a start time is not RFC 3339',
        withRun({ metadata: { startedOn: '2025-01-02' } }),
      ],
      [
        'a builder version is a number',
        withRun({ builder: { id: 'b', version: { v: 1 } } }),
      ],
      ['byproducts is an object', withRun({ byproducts: {} })],
      [
        'a byproduct digest is bad',
        withRun({ byproducts: [{ digest: { sha256: 'x' } }] }),
      ],
      ['the predicate is an array', []],
    ])('throws STATEMENT_PREDICATE_INVALID when %s', (_, v) => {
      expect(codeOf(() => validateSlsaProvenance(v))).toBe(
        'STATEMENT_PREDICATE_INVALID',
      );
    });
  });
});
