import { generateKeyPairSync } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { VerifyError } from '../../src/errors.js';
import { keySigner } from '../../src/signing/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';
import {
  loadPublicKey,
  loadTrustedRoot,
  verifyAttestation,
  type VerificationKey,
} from '../../src/verify/index.js';

process.env.NO_PROXY = '127.0.0.1,localhost';

const PAYLOAD = Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}');
const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

function keyPair(): { privatePem: string; key: VerificationKey } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const pub = pair.publicKey.export({ type: 'spki', format: 'pem' });
  return {
    privatePem: pair.privateKey
      .export({ type: 'pkcs8', format: 'pem' })
      .toString(),
    key: loadPublicKey(pub.toString()),
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VerifyError);
  return (error as VerifyError).code;
}

type Json = Record<string, Record<string, unknown>>;

describe('#verifyAttestation with keys', () => {
  let standIn: StandIn;
  const signer = keyPair();
  const other = keyPair();
  let logged: Json;
  let offline: Json;
  const root = () => loadTrustedRoot(standIn.trustedRoot);

  beforeAll(async () => {
    standIn = await startStandIn();
    const sign = (rekorURL?: string) =>
      keySigner({
        privateKey: signer.privatePem,
        ...(rekorURL && { rekorURL }),
      }).signDsse(PAYLOAD, PAYLOAD_TYPE);
    logged = (await sign(standIn.rekorURL)) as Json;
    offline = (await sign()) as Json;
  });
  afterAll(async () => standIn.close());

  describe('when one of the keys made the signature', () => {
    it('returns the payload, the key id and the signed time', async () => {
      const keys = [other.key, signer.key];
      const verified = await verifyAttestation(logged, root(), { keys });
      expect(verified.signer).toEqual({ keyId: signer.key.digest });
      expect(verified.payload.equals(PAYLOAD)).toBe(true);
      expect(verified.signedAt).toBeInstanceOf(Date);
    });

    it('ignores a hint that names another key', async () => {
      const hinted = structuredClone(logged);
      hinted.verificationMaterial.publicKey = {
        hint: other.key.digest.slice('sha256:'.length),
      };
      const verified = await verifyAttestation(hinted, root(), {
        keys: [other.key, signer.key],
      });
      expect(verified.signer).toEqual({ keyId: signer.key.digest });
    });
  });

  describe('when no key given made the signature', () => {
    it('throws VERIFY_KEY_MISMATCH', async () => {
      const run = verifyAttestation(logged, root(), { keys: [other.key] });
      expect(await codeOf(run)).toBe('VERIFY_KEY_MISMATCH');
    });
  });

  describe('when no keys are given at all', () => {
    it('throws: a key-signed bundle is not keyless', async () => {
      expect(await codeOf(verifyAttestation(logged, root()))).toBe(
        'VERIFY_SIGNATURE_FAILED',
      );
    });
  });

  describe('when the bundle has no log entry', () => {
    it('throws VERIFY_TIMESTAMP_FAILED by default', async () => {
      const run = verifyAttestation(offline, root(), { keys: [signer.key] });
      expect(await codeOf(run)).toBe('VERIFY_TIMESTAMP_FAILED');
    });

    it('returns no signed time with allowUnlogged', async () => {
      const verified = await verifyAttestation(offline, root(), {
        keys: [signer.key],
        allowUnlogged: true,
      });
      expect(verified.signer).toEqual({ keyId: signer.key.digest });
      expect(verified.signedAt).toBeUndefined();
    });
  });

  describe('when a log entry is present but false, with allowUnlogged', () => {
    it('throws VERIFY_TLOG_FAILED: entries present are checked', async () => {
      const forged = structuredClone(logged);
      const entries = forged.verificationMaterial.tlogEntries as {
        integratedTime: string;
      }[];
      entries[0].integratedTime = String(
        Number(entries[0].integratedTime) - 3600,
      );
      const run = verifyAttestation(forged, root(), {
        keys: [signer.key],
        allowUnlogged: true,
      });
      expect(await codeOf(run)).toBe('VERIFY_TLOG_FAILED');
    });
  });
});
