import { describe, expect, it } from 'vitest';

import { VerifyError } from '../../src/errors.js';
import { loadTrustedRoot } from '../../src/verify/index.js';
import { clone, readTestdata } from './fixtures.js';

const publicGood = () =>
  readTestdata('public-good', 'trusted_root.json') as Record<string, unknown>;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VerifyError);
    return (error as VerifyError).code;
  }
  return undefined;
}

describe('#loadTrustedRoot', () => {
  describe('when given the public-good trusted root', () => {
    it('returns a handle with a sha256 digest', () => {
      const handle = loadTrustedRoot(publicGood());
      expect(handle.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it('returns the same digest whatever the key order', () => {
      const root = publicGood();
      const reordered = Object.fromEntries(Object.entries(root).reverse());
      expect(loadTrustedRoot(reordered).digest).toBe(
        loadTrustedRoot(root).digest,
      );
    });
  });

  describe('when the input is not a usable trusted root', () => {
    const withoutTlogs = () => ({ ...publicGood(), tlogs: [] });
    const badCert = () => {
      const root = clone(publicGood()) as {
        certificateAuthorities: {
          certChain: { certificates: { rawBytes: string }[] };
        }[];
      };
      root.certificateAuthorities[0].certChain.certificates[0].rawBytes =
        Buffer.from('junk').toString('base64');
      return root;
    };
    const noKey = () => {
      const root = clone(publicGood()) as { tlogs: Record<string, unknown>[] };
      delete root.tlogs[0].publicKey;
      return root;
    };

    it.each([
      ['null', () => null],
      ['an array', () => []],
      ['an empty object', () => ({})],
      ['a root without transparency logs', withoutTlogs],
      ['a CA certificate that is not DER', badCert],
      ['a log without a public key', noKey],
    ])('throws VERIFY_TRUSTED_ROOT_INVALID for %s', (_name, make) => {
      expect(codeOf(() => loadTrustedRoot(make()))).toBe(
        'VERIFY_TRUSTED_ROOT_INVALID',
      );
    });
  });
});
