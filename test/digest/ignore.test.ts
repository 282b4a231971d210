import { describe, expect, it } from 'vitest';

import { compileIgnores } from '../../src/digest/index.js';

describe('#compileIgnores', () => {
  describe('when a pattern has no wildcard', () => {
    it('returns rules that match exactly that path', () => {
      const rules = compileIgnores(['logs', 'cfg/a.json']);
      expect(rules.matches('logs')).toBe(true);
      expect(rules.matches('cfg/a.json')).toBe(true);
      expect(rules.matches('logs2')).toBe(false);
      expect(rules.matches('cfg/a.jsonx')).toBe(false);
    });
  });

  describe('when a pattern has wildcards', () => {
    it.each([
      ['*.tmp', 'a.tmp', true],
      ['*.tmp', 'd/a.tmp', false],
      ['**/*.tmp', 'd/e/a.tmp', true],
      ['**/*.tmp', 'a.tmp', true],
      ['d/?.bin', 'd/x.bin', true],
      ['d/?.bin', 'd/xy.bin', false],
      ['cache/**', 'cache/a/b', true],
      ['a.b', 'axb', false],
      ['w(1)+.bin', 'w(1)+.bin', true],
    ])('matches %j against %j: %s', (pattern, path, expected) => {
      expect(compileIgnores([pattern]).matches(path)).toBe(expected);
    });
  });

  it('returns the defaults first in its patterns', () => {
    expect(compileIgnores(['x']).patterns).toEqual(['.mprov', '.git', 'x']);
  });

  describe('when a pattern is not a safe relative path', () => {
    it.each(['../x', '/abs', 'a//b', './a', '', 'a\\b'])(
      'throws DIGEST_BAD_PATH for %j',
      (pattern) => {
        expect(() => compileIgnores([pattern])).toThrow(
          expect.objectContaining({ code: 'DIGEST_BAD_PATH' }),
        );
      },
    );
  });
});
