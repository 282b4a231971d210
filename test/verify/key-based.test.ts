import { createHash, generateKeyPairSync } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { VerifyError } from '../../src/errors.js';
import { verifyBundle } from '../../src/verify/bundle.js';
import { loadPublicKey } from '../../src/verify/public-key.js';
import { loadTrustedRoot } from '../../src/verify/trusted-root.js';
import { TestLog } from './key-bundles.js';

const ARTIFACT = Buffer.from('weights of a small model\n');
const DIGEST = `sha256:${createHash('sha256').update(ARTIFACT).digest('hex')}`;

function keyPair(type: string) {
  const pair =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: type });
  const pem = pair.publicKey.export({ type: 'spki', format: 'pem' });
  return { privateKey: pair.privateKey, pem: pem.toString() };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VerifyError);
  return (error as VerifyError).code;
}

describe('#verifyBundle with a public key', () => {
  const log = new TestLog();
  const trustedRoot = loadTrustedRoot(log.trustedRoot());

  for (const type of ['P-256', 'P-384', 'ed25519']) {
    describe(`when the key is ${type}`, () => {
      const { privateKey, pem } = keyPair(type);
      const bundle = log.signMessage(ARTIFACT, privateKey, pem);
      const run = (
        artifact: { bytes: Buffer } | { digest: string },
        key = pem,
      ) => verifyBundle({ bundle, artifact, policy: { key }, trustedRoot });

      it('returns the key signer for the artifact bytes', async () => {
        const result = await run({ bytes: ARTIFACT });
        expect(result.signer).toEqual({
          kind: 'key',
          keyDigest: loadPublicKey(pem).digest,
          hint: 'test-key',
        });
      });

      // Only the SHA-256 of the artifact is known: a P-384 message digest
      // is SHA-384, and Ed25519 signs the message itself.
      if (type !== 'P-256') {
        it('throws VERIFY_ARTIFACT_INVALID given only the digest', async () => {
          expect(await codeOf(run({ digest: DIGEST }))).toBe(
            'VERIFY_ARTIFACT_INVALID',
          );
        });
      } else {
        it('returns the key signer given only the digest', async () => {
          await expect(run({ digest: DIGEST })).resolves.toMatchObject({
            verified: true,
          });
        });
      }

      it('throws VERIFY_KEY_MISMATCH for another key', async () => {
        const other = keyPair(type).pem;
        expect(await codeOf(run({ bytes: ARTIFACT }, other))).toBe(
          'VERIFY_KEY_MISMATCH',
        );
      });

      it('throws VERIFY_ARTIFACT_MISMATCH for a changed artifact', async () => {
        const changed = Buffer.from(ARTIFACT);
        changed[0] ^= 1;
        expect(await codeOf(run({ bytes: changed }))).toBe(
          'VERIFY_ARTIFACT_MISMATCH',
        );
      });
    });
  }

  describe('when the root does not trust the log', () => {
    it('throws VERIFY_TLOG_FAILED', async () => {
      const { privateKey, pem } = keyPair('P-256');
      const bundle = new TestLog().signMessage(ARTIFACT, privateKey, pem);
      const code = await codeOf(
        verifyBundle({
          bundle,
          artifact: { bytes: ARTIFACT },
          policy: { key: pem },
          trustedRoot,
        }),
      );
      expect(code).toBe('VERIFY_TLOG_FAILED');
    });
  });
});

describe('#loadPublicKey', () => {
  describe('when given a private key', () => {
    it('throws VERIFY_KEY_INVALID', () => {
      const { privateKey } = generateKeyPairSync('ed25519');
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
      expect(() => loadPublicKey(pem.toString())).toThrow(
        expect.objectContaining({ code: 'VERIFY_KEY_INVALID' }) as Error,
      );
    });
  });

  describe('when given an RSA key', () => {
    it('throws VERIFY_KEY_INVALID', () => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const pem = publicKey.export({ type: 'spki', format: 'pem' });
      expect(() => loadPublicKey(pem.toString())).toThrow(
        expect.objectContaining({ code: 'VERIFY_KEY_INVALID' }) as Error,
      );
    });
  });
});
