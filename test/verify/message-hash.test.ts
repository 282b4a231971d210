import { generateKeyPairSync, verify } from 'node:crypto';

import { bundleFromJSON } from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import type { SignedEntity } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';

import { VerifyError } from '../../src/errors.js';
import { verifyBundle } from '../../src/verify/bundle.js';
import {
  messageHashProblem,
  withMessageHashRule,
} from '../../src/verify/message-hash.js';
import { loadTrustedRoot } from '../../src/verify/trusted-root.js';
import { TestLog } from './key-bundles.js';

const ARTIFACT = Buffer.from('weights of a small model\n');

function keyPair(namedCurve: string) {
  const pair = generateKeyPairSync('ec', { namedCurve });
  const pem = pair.publicKey.export({ type: 'spki', format: 'pem' });
  return { ...pair, pem: pem.toString() };
}

async function failure(promise: Promise<unknown>): Promise<VerifyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VerifyError);
  return error as VerifyError;
}

describe('#verifyBundle with a P-384 message signature', () => {
  const log = new TestLog();
  const trustedRoot = loadTrustedRoot(log.trustedRoot());
  const p384 = keyPair('P-384');
  const run = (bundle: string, key = p384.pem) =>
    verifyBundle({
      bundle,
      artifact: { bytes: ARTIFACT },
      policy: { key },
      trustedRoot,
    });

  describe('when it is made as the algorithm registry says (SHA-384)', () => {
    const bundle = log.signMessage(ARTIFACT, p384.privateKey, p384.pem);

    it('holds a SHA2_384 digest and a signature over SHA-384', () => {
      const json = JSON.parse(bundle) as {
        messageSignature: {
          messageDigest: { algorithm: string };
          signature: string;
        };
      };
      const { messageDigest, signature } = json.messageSignature;
      expect(messageDigest.algorithm).toBe('SHA2_384');
      const sig = Buffer.from(signature, 'base64');
      expect(verify('sha384', ARTIFACT, p384.publicKey, sig)).toBe(true);
      expect(verify('sha256', ARTIFACT, p384.publicKey, sig)).toBe(false);
    });

    it('verifies with the key', async () => {
      await expect(run(bundle)).resolves.toMatchObject({
        verified: true,
        content: 'message-signature',
        signer: { kind: 'key' },
      });
    });
  });

  describe('when it declares SHA2_256 and signs over SHA-256 (older clients)', () => {
    it('throws VERIFY_BUNDLE_UNSUPPORTED, naming the hash it expected', async () => {
      const bundle = log.signMessage(ARTIFACT, p384.privateKey, p384.pem, {
        hash: 'sha256',
      });
      const error = await failure(run(bundle));
      expect(error.code).toBe('VERIFY_BUNDLE_UNSUPPORTED');
      expect(error.message).toContain(
        'expected a sha384 message digest for a PKIX_ECDSA_P384_SHA_384 key',
      );
    });
  });

  describe('when it declares SHA2_384 but signs over SHA-256', () => {
    // With a given key, a signature that does not verify is reported as
    // a key that did not sign (as for any key-based bundle).
    it('throws VERIFY_KEY_MISMATCH', async () => {
      const bundle = log.signMessage(ARTIFACT, p384.privateKey, p384.pem, {
        signedWith: 'sha256',
      });
      expect((await failure(run(bundle))).code).toBe('VERIFY_KEY_MISMATCH');
    });
  });

  describe('when a P-256 key declares SHA2_384', () => {
    it('throws VERIFY_BUNDLE_UNSUPPORTED', async () => {
      const p256 = keyPair('P-256');
      const bundle = log.signMessage(ARTIFACT, p256.privateKey, p256.pem, {
        hash: 'sha384',
      });
      expect((await failure(run(bundle, p256.pem))).code).toBe(
        'VERIFY_BUNDLE_UNSUPPORTED',
      );
    });
  });
});

describe('#withMessageHashRule', () => {
  // The same rule for a certificate's key, which only the verifier sees.
  const log = new TestLog();
  const p384 = keyPair('P-384');
  const legacy = log.signMessage(ARTIFACT, p384.privateKey, p384.pem, {
    hash: 'sha256',
  });
  const bundle = bundleFromJSON(JSON.parse(legacy));
  const inner = {
    verifySignature: () => true,
  } as unknown as SignedEntity['signature'];
  const entity = { signature: inner } as unknown as SignedEntity;

  it('fails a signature with the wrong hash for its key', () => {
    const ruled = withMessageHashRule(entity, bundle);
    expect(ruled.signature.verifySignature(p384.publicKey)).toBe(false);
  });

  it('leaves other keys to the signature check', () => {
    const ruled = withMessageHashRule(entity, bundle);
    expect(ruled.signature.verifySignature(keyPair('P-256').publicKey)).toBe(
      true,
    );
    const ed = generateKeyPairSync('ed25519').publicKey;
    expect(messageHashProblem(ed, HashAlgorithm.SHA2_512)).toBeUndefined();
  });
});
