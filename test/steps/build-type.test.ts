import { describe, expect, it } from 'vitest';

import { StatementError } from '../../src/errors.js';
import {
  BUILD_TYPE_BASE,
  buildTypeFor,
  kindFromBuildType,
} from '../../src/steps/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof StatementError ? e.code : 'not a StatementError';
  }
  return undefined;
}

describe('#buildTypeFor', () => {
  describe('when the kind is well-formed', () => {
    it.each([
      'export',
      'quantize',
      'adapter-attach',
      'repackage',
      'x',
      'a'.repeat(63),
      'prune-2',
    ])('returns BASE + %s + /v1, which reads back', (kind) => {
      const uri = buildTypeFor(kind);
      expect(uri).toBe(`${BUILD_TYPE_BASE}${kind}/v1`);
      expect(kindFromBuildType(uri)).toBe(kind);
    });
  });

  describe('when the kind is malformed', () => {
    it.each(['', 'Quantize', '2bit', '-x', 'a/b', 'a'.repeat(64), 'a_b', 'é'])(
      'throws STATEMENT_PREDICATE_INVALID for %j',
      (kind) => {
        expect(codeOf(() => buildTypeFor(kind))).toBe(
          'STATEMENT_PREDICATE_INVALID',
        );
      },
    );
  });
});

describe('#kindFromBuildType', () => {
  describe('when the URI is not a v1 build type of this project', () => {
    it.each([
      'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
      `${BUILD_TYPE_BASE}quantize/v2`,
      `${BUILD_TYPE_BASE}quantize`,
      `${BUILD_TYPE_BASE}a/b/v1`,
      `${BUILD_TYPE_BASE}/v1`,
      'http://model-provenance.dev/build-types/quantize/v1',
    ])('throws STATEMENT_PREDICATE_INVALID for %s', (uri) => {
      expect(codeOf(() => kindFromBuildType(uri))).toBe(
        'STATEMENT_PREDICATE_INVALID',
      );
    });
  });
});
