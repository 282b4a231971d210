import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { checkDerCertificate } from '../../src/crypto/certificate.js';
import { TESTDATA } from '../testdata.js';

/** Fulcio's leaf certificate of a real public-good bundle. */
async function fulcioLeaf(): Promise<Buffer<ArrayBuffer>> {
  const path = join(
    TESTDATA,
    'sigstore-conformance',
    'bundle-verify',
    'happy-path-v0.3',
    'bundle.sigstore.json',
  );
  const bundle = JSON.parse(await readFile(path, 'utf8')) as {
    verificationMaterial: { certificate: { rawBytes: string } };
  };
  return Buffer.from(
    bundle.verificationMaterial.certificate.rawBytes,
    'base64',
  );
}

describe('#checkDerCertificate', () => {
  it('accepts a real Fulcio certificate, as OpenSSL does', async () => {
    const der = await fulcioLeaf();
    expect(() => new X509Certificate(der)).not.toThrow();
    expect(() => checkDerCertificate(der)).not.toThrow();
  });

  describe('when the bytes are not strict DER X.509', () => {
    const edits: [string, (der: Buffer<ArrayBuffer>) => Buffer<ArrayBuffer>][] =
      [
        [
          'the outer tag changed',
          (d) => Buffer.concat([Buffer.from([0x31]), d.subarray(1)]),
        ],
        ['a trailing byte', (d) => Buffer.concat([d, Buffer.from([0])])],
        ['a truncated end', (d) => Buffer.from(d.subarray(0, -1))],
        [
          'a longer form of the outer length',
          (d) =>
            Buffer.concat([Buffer.from([0x30, 0x83, 0x00]), d.subarray(2)]),
        ],
        [
          // The outer algorithm is the last SEQUENCE before the signature's
          // BIT STRING: its OID's last byte (ecdsa-with-SHA384 -> SHA256).
          'an outer signature algorithm unlike the signed one',
          (d) => {
            const copy = Buffer.from(d);
            const oid = Buffer.from('06082a8648ce3d040303', 'hex');
            const at = copy.lastIndexOf(oid);
            if (at <= copy.indexOf(oid)) throw new Error('expected two OIDs');
            copy[at + oid.length - 1] = 0x02;
            return copy;
          },
        ],
      ];
    for (const [what, edit] of edits) {
      it(`throws for ${what}`, async () => {
        const der = edit(await fulcioLeaf());
        expect(() => checkDerCertificate(der)).toThrow();
      });
    }
  });
});
