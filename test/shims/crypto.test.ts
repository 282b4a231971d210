/**
 * The browser bundle's `crypto` against Node's own, on the calls that
 * `@sigstore/core` makes (node_modules/@sigstore/core/dist/crypto.js).
 */
import nodeCrypto, { generateKeyPairSync, sign } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import shim, {
  createHash,
  createPublicKey,
  timingSafeEqual,
  verify,
} from '../../src/shims/crypto.js';

const data = Buffer.from('signed bytes');

describe('the crypto shim', () => {
  it('has a default export, which CommonJS interop reads', () => {
    expect(Object.keys(shim).sort()).toEqual([
      'createHash',
      'createPublicKey',
      'timingSafeEqual',
      'verify',
    ]);
  });

  describe('#createHash', () => {
    it('returns the Buffers and hex strings that Node returns', () => {
      for (const name of ['sha256', 'sha384', 'sha512']) {
        const ours = createHash(name).update('ab').update(Buffer.from('c'));
        const node = nodeCrypto.createHash(name).update('abc');
        const digest = ours.digest();
        expect(Buffer.isBuffer(digest)).toBe(true);
        expect(digest.equals(node.digest())).toBe(true);
      }
      expect(createHash('sha256').update('x').digest('hex')).toBe(
        nodeCrypto.createHash('sha256').update('x').digest('hex'),
      );
    });

    it('throws for a hash it does not have', () => {
      expect(() => createHash('md5')).toThrow();
    });
  });

  describe('#createPublicKey and #verify', () => {
    for (const [type, curve] of [
      ['ec', 'P-256'],
      ['ec', 'P-384'],
      ['ed25519', ''],
    ] as const) {
      it(`agree with Node for ${type} ${curve}, from PEM and from DER`, () => {
        const { privateKey, publicKey } =
          type === 'ec'
            ? generateKeyPairSync('ec', { namedCurve: curve })
            : generateKeyPairSync('ed25519');
        const hash = type === 'ec' ? 'sha256' : null;
        const sig = sign(hash, data, privateKey);
        const pem = publicKey.export({ format: 'pem', type: 'spki' });
        const der = publicKey.export({ format: 'der', type: 'spki' });
        const fromPem = createPublicKey(pem);
        const fromDer = createPublicKey({
          key: der,
          format: 'der',
          type: 'spki',
        });
        expect(fromDer.asymmetricKeyType).toBe(publicKey.asymmetricKeyType);
        expect(fromPem.export({ format: 'der', type: 'spki' })).toEqual(der);
        expect(fromDer.asymmetricKeyDetails.namedCurve).toBe(
          publicKey.asymmetricKeyDetails?.namedCurve,
        );
        for (const key of [fromPem, fromDer]) {
          expect(verify(hash, data, key, sig)).toBe(true);
          expect(verify(undefined, data, key, sig)).toBe(
            nodeCrypto.verify(undefined, data, publicKey, sig),
          );
          expect(verify(hash, Buffer.from('other'), key, sig)).toBe(false);
        }
      });
    }

    it('loads an RSA PKCS#1 key as one that verifies nothing', () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', {
        modulusLength: 1024,
      });
      const der = publicKey.export({ format: 'der', type: 'pkcs1' });
      const key = createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
      expect(key.asymmetricKeyType).toBeUndefined();
      expect(
        verify('sha256', data, key, sign('sha256', data, privateKey)),
      ).toBe(false);
    });

    it('throws VERIFY_KEY_INVALID for bytes that are not a key', () => {
      expect(() =>
        createPublicKey({
          key: Buffer.from('junk'),
          format: 'der',
          type: 'spki',
        }),
      ).toThrow(expect.objectContaining({ code: 'VERIFY_KEY_INVALID' }));
      expect(() => createPublicKey('-----BEGIN NONSENSE-----')).toThrow(
        expect.objectContaining({ code: 'VERIFY_KEY_INVALID' }),
      );
    });
  });

  describe('#timingSafeEqual', () => {
    it('compares as Node does, and throws RangeError on unequal lengths', () => {
      const a = Buffer.from('abcd');
      expect(timingSafeEqual(a, Buffer.from('abcd'))).toBe(true);
      expect(timingSafeEqual(a, Buffer.from('abce'))).toBe(false);
      expect(() => timingSafeEqual(a, Buffer.from('abc'))).toThrow(RangeError);
      expect(() => nodeCrypto.timingSafeEqual(a, Buffer.from('abc'))).toThrow(
        RangeError,
      );
    });
  });
});
