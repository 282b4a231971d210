import { describe, expect, it } from 'vitest';

import { VerifyError } from '../../src/errors.js';
import { matchesIdentity } from '../../src/verify/index.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const signer = (identity: string, issuer = ISSUER) => ({ identity, issuer });

describe('#matchesIdentity', () => {
  describe('when the rule names an exact identity', () => {
    const rule = { issuer: ISSUER, identity: 'https://github.com/acme/' };

    it('returns true for the same identity and issuer', () => {
      expect(matchesIdentity(signer('https://github.com/acme/'), rule)).toBe(
        true,
      );
    });

    it('returns false for a longer identity with that prefix', () => {
      const longer = signer(
        'https://github.com/acme/x/.github/workflows/a.yml',
      );
      expect(matchesIdentity(longer, rule)).toBe(false);
    });

    it('returns false for another issuer', () => {
      const other = signer('https://github.com/acme/', 'https://evil.example');
      expect(matchesIdentity(other, rule)).toBe(false);
    });
  });

  describe('when the rule names a pattern', () => {
    const rule = {
      issuer: ISSUER,
      identityPattern: 'https://github.com/acme/.*',
    };

    it('returns true for an identity the whole pattern matches', () => {
      const ok = signer('https://github.com/acme/x/.github/workflows/a.yml');
      expect(matchesIdentity(ok, rule)).toBe(true);
    });

    it('returns false when the pattern only matches inside the identity', () => {
      const evil = signer('https://evil.example/https://github.com/acme/x');
      expect(matchesIdentity(evil, rule)).toBe(false);
    });

    it('returns false when a line break follows a matching line', () => {
      const split = signer('https://github.com/acme/x\nhttps://evil.example');
      expect(matchesIdentity(split, rule)).toBe(false);
    });

    it('returns false for a prefix pattern and a longer identity', () => {
      const prefix = {
        issuer: ISSUER,
        identityPattern: 'https://github\\.com/acme',
      };
      expect(
        matchesIdentity(signer('https://github.com/acme-evil'), prefix),
      ).toBe(false);
    });

    it('anchors every alternative of the pattern', () => {
      const alt = {
        issuer: ISSUER,
        identityPattern: 'a@example\\.com|b@example\\.com',
      };
      expect(matchesIdentity(signer('b@example.com'), alt)).toBe(true);
      expect(matchesIdentity(signer('b@example.com.evil'), alt)).toBe(false);
      expect(matchesIdentity(signer('evil.a@example.com'), alt)).toBe(false);
    });
  });

  describe('when the rule is invalid', () => {
    it.each([
      ['neither identity nor pattern', { issuer: ISSUER }],
      [
        'both identity and pattern',
        { issuer: ISSUER, identity: 'a', identityPattern: 'a' },
      ],
      [
        'an unbalanced group that would escape the anchors',
        { issuer: ISSUER, identityPattern: 'x)|(.*' },
      ],
      ['an invalid pattern', { issuer: ISSUER, identityPattern: '[' }],
    ])('throws VERIFY_IDENTITY_RULE_INVALID for %s', (_name, rule) => {
      let error: unknown;
      try {
        matchesIdentity(signer('x'), rule);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(VerifyError);
      expect((error as VerifyError).code).toBe('VERIFY_IDENTITY_RULE_INVALID');
    });
  });
});
