import { generateKeyPairSync, type KeyObject } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { parseSpki, pemToDer } from '../../src/crypto/public-key.js';

const spki = (key: KeyObject) => key.export({ format: 'der', type: 'spki' });

describe('#parseSpki', () => {
  describe('when the key is one Sigstore uses', () => {
    it('returns the point of a P-256 and a P-384 key', () => {
      for (const namedCurve of ['P-256', 'P-384']) {
        const { publicKey } = generateKeyPairSync('ec', { namedCurve });
        const key = parseSpki(spki(publicKey));
        expect(key).toMatchObject({ type: 'ec', curve: namedCurve });
        const jwk = publicKey.export({ format: 'jwk' });
        const x = Buffer.from(jwk.x ?? '', 'base64url');
        expect(
          key.type === 'ec' && Buffer.from(key.point.subarray(1, 1 + x.length)),
        ).toEqual(x);
      }
    });

    it('returns the raw bytes of an Ed25519 key', () => {
      const { publicKey } = generateKeyPairSync('ed25519');
      const raw = Buffer.from(
        publicKey.export({ format: 'jwk' }).x ?? '',
        'base64url',
      );
      expect(parseSpki(spki(publicKey))).toEqual({
        type: 'ed25519',
        raw: new Uint8Array(raw),
      });
    });
  });

  describe('when the key is of another kind', () => {
    it('returns unsupported for an RSA key', () => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      expect(parseSpki(spki(publicKey))).toEqual({
        type: 'unsupported',
        algorithm: '1.2.840.113549.1.1.1',
      });
    });

    it('throws VERIFY_KEY_INVALID for a curve other than P-256 and P-384', () => {
      const { publicKey } = generateKeyPairSync('ec', {
        namedCurve: 'secp256k1',
      });
      expect(() => parseSpki(spki(publicKey))).toThrow(
        expect.objectContaining({ code: 'VERIFY_KEY_INVALID' }),
      );
    });
  });

  describe('when the bytes are not a key', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const good = spki(publicKey);
    const cases: [string, Buffer][] = [
      ['empty bytes', Buffer.alloc(0)],
      ['a trailing byte', Buffer.concat([good, Buffer.from([0])])],
      ['a truncated key', good.subarray(0, good.length - 1)],
      [
        'a point off the curve',
        Buffer.concat([
          good.subarray(0, -1),
          Buffer.from([(good.at(-1) ?? 0) ^ 1]),
        ]),
      ],
      [
        'a long-form length',
        Buffer.concat([
          Buffer.from([0x30, 0x81, good[1] ?? 0]),
          good.subarray(2),
        ]),
      ],
    ];
    for (const [what, bytes] of cases) {
      it(`throws VERIFY_KEY_INVALID for ${what}`, () => {
        expect(() => parseSpki(bytes)).toThrow(
          expect.objectContaining({ code: 'VERIFY_KEY_INVALID' }),
        );
      });
    }
  });
});

describe('#pemToDer', () => {
  it('returns the DER of a PEM public key', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = String(publicKey.export({ format: 'pem', type: 'spki' }));
    expect(Buffer.from(pemToDer(pem))).toEqual(spki(publicKey));
  });

  it('throws VERIFY_KEY_INVALID for a private key or broken base64', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = String(privateKey.export({ format: 'pem', type: 'pkcs8' }));
    expect(() => pemToDer(pem)).toThrow(
      expect.objectContaining({ code: 'VERIFY_KEY_INVALID' }),
    );
    const broken =
      '-----BEGIN PUBLIC KEY-----\nAB=C\n-----END PUBLIC KEY-----\n';
    expect(() => pemToDer(broken)).toThrow(
      expect.objectContaining({ code: 'VERIFY_KEY_INVALID' }),
    );
  });
});
