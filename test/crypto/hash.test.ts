import { createHash } from 'node:crypto';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  createPortableHash,
  portableHashName,
  sha256Hex,
} from '../../src/crypto/hash.js';

describe('#sha256Hex', () => {
  it('returns the FIPS 180-2 digest of "abc"', () => {
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('returns what node:crypto returns, for bytes and for text', () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.string(), (bytes, text) => {
        const node = (d: Uint8Array | string) =>
          createHash('sha256').update(d).digest('hex');
        expect(sha256Hex(bytes)).toBe(node(bytes));
        expect(sha256Hex(text)).toBe(node(text));
      }),
    );
  });
});

describe('#createPortableHash', () => {
  it('returns node:crypto digests for SHA-384 and SHA-512, in parts', () => {
    for (const name of ['sha384', 'sha512'] as const) {
      const ours = createPortableHash(name)
        .update(Buffer.from('ab'))
        .update(Buffer.from('c'))
        .digest();
      const node = createHash(name).update('abc').digest();
      expect(Buffer.from(ours).equals(node)).toBe(true);
    }
  });
});

describe('#portableHashName', () => {
  it('reads OpenSSL and Node spellings', () => {
    expect(portableHashName('SHA256')).toBe('sha256');
    expect(portableHashName('sha-384')).toBe('sha384');
    expect(portableHashName('sha512')).toBe('sha512');
  });

  it('returns undefined for other hashes and for prototype names', () => {
    for (const name of ['md5', 'sha1', 'sha3-256', 'constructor', '']) {
      expect(portableHashName(name)).toBeUndefined();
    }
  });
});
