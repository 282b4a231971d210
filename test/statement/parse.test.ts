import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { StatementError } from '../../src/errors.js';
import {
  MAX_STATEMENT_BYTES,
  MAX_STATEMENT_DEPTH,
  STATEMENT_TYPE,
  parseStatement,
  validateResourceDescriptor,
  validateStatement,
} from '../../src/statement/index.js';

const SHA = 'ab'.repeat(32);
const good = {
  _type: STATEMENT_TYPE,
  subject: [{ name: 'w.bin', digest: { sha256: SHA } }],
  predicateType: 'https://example.com/p/v1',
  predicate: { a: 1 },
};
const bytesOf = (v: unknown): Uint8Array =>
  new TextEncoder().encode(JSON.stringify(v));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof StatementError ? e.code : 'not a StatementError';
  }
  return undefined;
}

describe('#parseStatement', () => {
  describe('when the bytes are a valid statement', () => {
    it('returns it', () => {
      expect(parseStatement(bytesOf(good))).toEqual(good);
    });
  });

  describe('when the bytes exceed the size limit', () => {
    it('throws STATEMENT_TOO_LARGE', () => {
      const big = new Uint8Array(MAX_STATEMENT_BYTES + 1).fill(0x20);
      expect(codeOf(() => parseStatement(big))).toBe('STATEMENT_TOO_LARGE');
    });
  });

  describe('when the bytes nest too deeply', () => {
    it('throws STATEMENT_TOO_LARGE', () => {
      const deep = '['.repeat(MAX_STATEMENT_DEPTH + 1);
      const doc = {
        ...good,
        predicate: {
          x: JSON.parse(deep + ']'.repeat(MAX_STATEMENT_DEPTH + 1)) as unknown,
        },
      };
      expect(codeOf(() => parseStatement(bytesOf(doc)))).toBe(
        'STATEMENT_TOO_LARGE',
      );
    });
  });

  describe('when the bytes are not UTF-8', () => {
    it.each([
      [[0x7b, 0xff, 0x7d]],
      [[0x22, 0xc3, 0x22]],
      [[0x22, 0xed, 0xa0, 0x80, 0x22]],
    ])('throws STATEMENT_NOT_UTF8 for %j', (bytes) => {
      expect(codeOf(() => parseStatement(Uint8Array.from(bytes)))).toBe(
        'STATEMENT_NOT_UTF8',
      );
    });
  });

  describe('when the bytes are not JSON', () => {
    it.each(['', '{', "{'a':1}", '\ufeff{}', 'NaN'])(
      'throws STATEMENT_NOT_JSON for %j',
      (text) => {
        const bytes = new TextEncoder().encode(text);
        expect(codeOf(() => parseStatement(bytes))).toBe('STATEMENT_NOT_JSON');
      },
    );
  });

  describe('when given arbitrary bytes or JSON', () => {
    it('returns a statement or throws a StatementError, nothing else', () => {
      const input = fc.oneof(
        fc.uint8Array({ maxLength: 256 }),
        fc.jsonValue().map((v) => bytesOf(v)),
        fc.jsonValue().map((subject) => bytesOf({ ...good, subject })),
      );
      fc.assert(
        fc.property(input, (bytes) => {
          const code = codeOf(() => parseStatement(bytes));
          expect(code).not.toBe('not a StatementError');
        }),
      );
    });
  });
});

describe('#validateStatement', () => {
  describe('when fields have the wrong JSON type', () => {
    it.each([
      ['statement is an array', []],
      ['subject is an object', { ...good, subject: {} }],
      ['predicate is an array', { ...good, predicate: [] }],
      ['predicate is null', { ...good, predicate: null }],
      ['predicateType is a number', { ...good, predicateType: 1 }],
    ])('throws STATEMENT_INVALID when %s', (_, v) => {
      expect(codeOf(() => validateStatement(v))).toBe('STATEMENT_INVALID');
    });

    it('throws STATEMENT_TYPE_UNSUPPORTED when _type is missing', () => {
      const rest: Record<string, unknown> = { ...good };
      delete rest._type;
      expect(codeOf(() => validateStatement(rest))).toBe(
        'STATEMENT_TYPE_UNSUPPORTED',
      );
    });
  });

  describe('when the statement has unknown fields', () => {
    it('returns a copy without them', () => {
      const v = { ...good, extra: 1, subject: [{ ...good.subject[0], x: 2 }] };
      expect(validateStatement(v)).toEqual(good);
    });
  });
});

describe('#validateResourceDescriptor', () => {
  describe('when a known digest is upper-case hex', () => {
    it('throws STATEMENT_DIGEST_INVALID', () => {
      const rd = { digest: { sha256: SHA.toUpperCase() } };
      expect(codeOf(() => validateResourceDescriptor(rd))).toBe(
        'STATEMENT_DIGEST_INVALID',
      );
    });
  });

  describe('when an algorithm is named like an Object property', () => {
    it('returns it unchecked as a custom algorithm', () => {
      const rd = { digest: { constructor: 'x', toString: 'y' } };
      expect(validateResourceDescriptor(rd)).toEqual(rd);
    });
  });

  describe('when a field has the wrong type', () => {
    it.each([
      { name: 1 },
      { uri: null },
      { digest: { sha256: 5 } },
      { digest: [] },
      { name: 'n', annotations: 'a' },
      { name: 'n', content: 'not base64!' },
      { downloadLocation: 'https://x', name: '' },
    ])('throws STATEMENT_DESCRIPTOR_INVALID for %j', (rd) => {
      expect(codeOf(() => validateResourceDescriptor(rd))).toBe(
        'STATEMENT_DESCRIPTOR_INVALID',
      );
    });
  });
});
