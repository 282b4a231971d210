import { generateKeyPairSync } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { SigningError } from '../../src/errors.js';
import { keySigner, type KeySignerOptions } from '../../src/signing/index.js';

const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

function refusal(opts: KeySignerOptions): SigningError {
  let error: unknown;
  try {
    keySigner(opts);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SigningError);
  return error as SigningError;
}

/** The base64 body of a PEM, which must never appear in a message. */
const bodyOf = (pem: string) =>
  pem.split('\n').filter((l) => l && !l.startsWith('-----'))[1] ?? pem;

describe('#keySigner', () => {
  describe('when the key is RSA', () => {
    it('throws SIGNING_BAD_KEY without quoting it', () => {
      const { privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
      });
      const pem = privateKey
        .export({ type: 'pkcs8', format: 'pem' })
        .toString();
      const error = refusal({ privateKey: pem });
      expect(error.code).toBe('SIGNING_BAD_KEY');
      expect(error.message).not.toContain(bodyOf(pem));
    });
  });

  describe('when the key is a public key', () => {
    it('throws SIGNING_BAD_KEY', () => {
      const { publicKey } = generateKeyPairSync('ed25519');
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      expect(refusal({ privateKey: pem }).code).toBe('SIGNING_BAD_KEY');
    });
  });

  describe('when the PEM is corrupt', () => {
    it('throws SIGNING_BAD_KEY without quoting it', () => {
      const pem =
        '-----BEGIN PRIVATE KEY-----\nTUlJQmFkS2V5TWF0ZXJpYWxTZWNyZXQ=\n-----END PRIVATE KEY-----\n';
      const error = refusal({ privateKey: pem });
      expect(error.code).toBe('SIGNING_BAD_KEY');
      expect(
        JSON.stringify([error.message, String(error.cause)]),
      ).not.toContain('TUlJQmFkS2V5TWF0ZXJpYWxTZWNyZXQ');
    });
  });

  describe('when the key is encrypted', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey
      .export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'correct horse',
      })
      .toString();

    it('signs with the passphrase', async () => {
      const signer = keySigner({
        privateKey: pem,
        passphrase: 'correct horse',
      });
      const bundle = (await signer.signDsse(
        Buffer.from('{}'),
        PAYLOAD_TYPE,
      )) as {
        verificationMaterial: { tlogEntries?: unknown[] };
      };
      expect(bundle.verificationMaterial.tlogEntries ?? []).toEqual([]);
    });

    it('throws SIGNING_BAD_KEY with a wrong passphrase, without it', () => {
      const error = refusal({ privateKey: pem, passphrase: 'battery staple' });
      expect(error.code).toBe('SIGNING_BAD_KEY');
      expect(error.message).not.toContain('battery staple');
    });
  });

  describe('when Rekor v2 is asked for', () => {
    it('throws SIGNING_BAD_OPTIONS', () => {
      const { privateKey } = generateKeyPairSync('ed25519');
      const opts = {
        privateKey,
        rekorURL: 'http://127.0.0.1:9',
        tsaServerURL: 'http://127.0.0.1:9',
        rekorVersion: 2,
      } as unknown as KeySignerOptions;
      expect(refusal(opts).code).toBe('SIGNING_BAD_OPTIONS');
    });
  });

  describe('when the log cannot be reached', () => {
    it('throws SIGNING_FAILED from signDsse', async () => {
      const { privateKey } = generateKeyPairSync('ed25519');
      const signer = keySigner({ privateKey, rekorURL: 'http://127.0.0.1:9' });
      await expect(
        signer.signDsse(Buffer.from('{}'), PAYLOAD_TYPE),
      ).rejects.toMatchObject({ code: 'SIGNING_FAILED' });
    });
  });
});
