import { createHash, generateKeyPairSync, sign } from 'node:crypto';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  supportsPrehash,
  verifyPrehashed,
} from '../../src/verify/ecdsa-prehash.js';

const CURVES = [
  ['P-256', 'sha256'],
  ['P-384', 'sha384'],
  ['P-384', 'sha256'],
  ['P-256', 'sha512'],
] as const;

describe('#verifyPrehashed', () => {
  for (const [curve, hash] of CURVES) {
    describe(`when the key is ${curve} and the digest ${hash}`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', {
        namedCurve: curve,
      });
      const digestOf = (m: Uint8Array) => createHash(hash).update(m).digest();

      it('returns true for signatures made by node:crypto', () => {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 64 }), (message) => {
            const signature = sign(hash, message, privateKey);
            return verifyPrehashed(publicKey, digestOf(message), signature);
          }),
          { numRuns: 25 },
        );
      });

      // Only the leftmost bits that fit the curve order are signed.
      const signedBits = Math.min(curve === 'P-256' ? 256 : 384, 8 * 64);

      it('returns false when one signed bit of the digest changes', () => {
        fc.assert(
          fc.property(
            fc.uint8Array({ minLength: 1, maxLength: 64 }),
            fc.nat(),
            (message, bit) => {
              const signature = sign(hash, message, privateKey);
              const digest = digestOf(message);
              const at = bit % Math.min(digest.length * 8, signedBits);
              digest[at >> 3] ^= 1 << (at & 7);
              return !verifyPrehashed(publicKey, digest, signature);
            },
          ),
          { numRuns: 25 },
        );
      });
    });
  }

  describe('when the signature is not a valid DER ECDSA-Sig-Value', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
    });
    const message = Buffer.from('a.txt');
    const digest = createHash('sha256').update(message).digest();
    const good = sign('sha256', message, privateKey);

    it('returns false for trailing bytes', () => {
      const padded = Buffer.concat([good, Buffer.from([0])]);
      expect(verifyPrehashed(publicKey, digest, padded)).toBe(false);
    });

    it('returns false for garbage of any length', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 120 }), (junk) => {
          return !verifyPrehashed(publicKey, digest, Buffer.from(junk));
        }),
      );
    });

    it('returns false for r = 0 and s = 0', () => {
      const zero = Buffer.from('3006020100020100', 'hex');
      expect(verifyPrehashed(publicKey, digest, zero)).toBe(false);
    });

    it('returns false for a signature by another key', () => {
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const signature = sign('sha256', message, other.privateKey);
      expect(verifyPrehashed(publicKey, digest, signature)).toBe(false);
    });
  });
});

describe('#supportsPrehash', () => {
  describe('when the key is Ed25519', () => {
    it('returns false', () => {
      const { publicKey } = generateKeyPairSync('ed25519');
      expect(supportsPrehash(publicKey)).toBe(false);
    });
  });

  describe('when the key is an ECDSA P-256 public key', () => {
    it('returns true', () => {
      const { publicKey } = generateKeyPairSync('ec', {
        namedCurve: 'P-256',
      });
      expect(supportsPrehash(publicKey)).toBe(true);
    });
  });
});
