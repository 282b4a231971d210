import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  parseStrictJson,
  parseStrictJsonBytes,
  StrictJsonError,
} from '../../src/json/strict.js';

function reasonOf(text: string, depth?: number): string | undefined {
  try {
    parseStrictJson(text, depth);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(StrictJsonError);
    return (error as StrictJsonError).reason;
  }
}

describe('#parseStrictJson', () => {
  describe('when the document is valid JSON without duplicate keys', () => {
    it('returns what JSON.parse returns', () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
          const text = JSON.stringify(value, null, 1);
          expect(parseStrictJson(text)).toEqual(JSON.parse(text));
        }),
        { numRuns: 300 },
      );
    });

    it('keeps escapes, unicode and numbers exact', () => {
      const text = '{"a\\u0041\\n":"\\ud83d\\ude00 é","n":[-0.5e-3,10,0]}';
      expect(parseStrictJson(text)).toEqual(JSON.parse(text));
    });
  });

  describe('when an object repeats a key', () => {
    it.each([
      '{"subject":[1],"subject":[2]}',
      '{"a":{"b":1,"b":1}}',
      '{"\\u0061":1,"a":2}',
    ])('throws duplicate-key for %s', (text) => {
      expect(reasonOf(text)).toBe('duplicate-key');
    });
  });

  describe('when the document nests too deep', () => {
    it('throws too-deep without exhausting the stack', () => {
      expect(reasonOf('['.repeat(100_000) + ']'.repeat(100_000))).toBe(
        'too-deep',
      );
      expect(reasonOf('[[[1]]]', 2)).toBe('too-deep');
      expect(reasonOf('[[1]]', 2)).toBeUndefined();
    });
  });

  describe('when a key is __proto__', () => {
    it('stores it as an own property and leaves the prototype alone', () => {
      const value = parseStrictJson('{"__proto__":{"polluted":true}}') as {
        polluted?: boolean;
      };
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(value.polluted).toBeUndefined();
      expect(Object.keys(value)).toEqual(['__proto__']);
    });
  });

  describe('when the text is not JSON', () => {
    it.each([
      '',
      '{',
      '{"a":1,}',
      '[1,]',
      "{'a':1}",
      '{"a":01}',
      '"\u0001"',
      'NaN',
      '1 2',
      '{"a" 1}',
      '"\\x41"',
    ])('throws syntax for %j', (text) => {
      expect(reasonOf(text)).toBe('syntax');
    });

    it('agrees with JSON.parse on which strings are JSON', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 12 }), (text) => {
          let builtIn = true;
          try {
            JSON.parse(text);
          } catch {
            builtIn = false;
          }
          expect(reasonOf(text) === undefined).toBe(builtIn);
        }),
        { numRuns: 500 },
      );
    });
  });
});

describe('#parseStrictJsonBytes', () => {
  it('returns the value of strict UTF-8 JSON', () => {
    expect(parseStrictJsonBytes(Buffer.from('{"a":"é"}'))).toEqual({ a: 'é' });
  });

  it.each([
    ['a byte-order mark', Buffer.from('\ufeff{}')],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
  ])('throws syntax for %s', (_name, bytes) => {
    expect(() => parseStrictJsonBytes(bytes)).toThrow(
      expect.objectContaining({ reason: 'syntax' }) as Error,
    );
  });
});
