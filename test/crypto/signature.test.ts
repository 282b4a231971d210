import { generateKeyPairSync, sign } from 'node:crypto';

import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';

import { createPortableHash } from '../../src/crypto/hash.js';
import { parseSpki, type PortableKey } from '../../src/crypto/public-key.js';
import { verifySignature } from '../../src/crypto/signature.js';

const data = Buffer.from('the pre-authentication encoding');

function pair(type: 'ec' | 'ed25519', namedCurve = 'P-256') {
  const { privateKey, publicKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve })
      : generateKeyPairSync('ed25519');
  const key = parseSpki(publicKey.export({ format: 'der', type: 'spki' }));
  return { privateKey, key };
}

const flip = (sig: Buffer) => {
  const copy = Buffer.from(sig);
  copy[copy.length - 1] = (copy.at(-1) ?? 0) ^ 1;
  return copy;
};

describe('#verifySignature', () => {
  describe('when node:crypto made an ECDSA signature', () => {
    for (const [curve, hash] of [
      ['P-256', 'sha256'],
      ['P-384', 'sha384'],
      ['P-256', 'sha512'],
    ] as const) {
      it(`returns true on ${curve} with ${hash}, false when a bit changes`, () => {
        const { privateKey, key } = pair('ec', curve);
        const sig = sign(hash, data, privateKey);
        expect(verifySignature(key, data, sig, hash)).toBe(true);
        expect(verifySignature(key, data, flip(sig), hash)).toBe(false);
        expect(verifySignature(key, flip(data), sig, hash)).toBe(false);
      });
    }

    it('takes SHA-256 without a hash, on P-384 too (as OpenSSL does)', () => {
      const { privateKey, key } = pair('ec', 'P-384');
      expect(verifySignature(key, data, sign('sha256', data, privateKey))).toBe(
        true,
      );
      expect(verifySignature(key, data, sign('sha384', data, privateKey))).toBe(
        false,
      );
    });

    it('returns false for another hash than the one signed, or an unknown one', () => {
      const { privateKey, key } = pair('ec');
      const sig = sign('sha256', data, privateKey);
      expect(verifySignature(key, data, sig, 'sha384')).toBe(false);
      expect(verifySignature(key, data, sig, 'md5')).toBe(false);
    });
  });

  it('returns true for a high-S ECDSA signature, as OpenSSL does', () => {
    const secret = p256.utils.randomSecretKey();
    const key: PortableKey = {
      type: 'ec',
      curve: 'P-256',
      point: p256.getPublicKey(secret, false),
    };
    const digest = createPortableHash('sha256').update(data).digest();
    const low = p256.Signature.fromBytes(
      p256.sign(digest, secret, { prehash: false }),
    );
    const high = new p256.Signature(low.r, p256.Point.CURVE().n - low.s);
    expect(verifySignature(key, data, high.toBytes('der'))).toBe(true);
  });

  it('returns true for Ed25519 without a hash and false with one', () => {
    const { privateKey, key } = pair('ed25519');
    const sig = sign(null, data, privateKey);
    expect(verifySignature(key, data, sig)).toBe(true);
    expect(verifySignature(key, data, sig, null)).toBe(true);
    expect(verifySignature(key, data, sig, 'sha256')).toBe(false);
    expect(verifySignature(key, data, flip(sig))).toBe(false);
  });

  it('returns false, without throwing, for junk and for unsupported keys', () => {
    const { key } = pair('ec');
    expect(verifySignature(key, data, Buffer.from('not der'))).toBe(false);
    const rsa: PortableKey = { type: 'unsupported', algorithm: 'rsa' };
    expect(verifySignature(rsa, data, Buffer.alloc(64))).toBe(false);
  });
});
