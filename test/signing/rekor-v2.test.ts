import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SigningError } from '../../src/errors.js';
import { keylessSigner } from '../../src/signing/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';
import { verifyAttestation } from '../../src/verify/attestation.js';
import { loadTrustedRoot } from '../../src/verify/trusted-root.js';

process.env.NO_PROXY = '127.0.0.1,localhost';

const PAYLOAD = Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}');
const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const IDENTITY = 'quantizer@example.com';

type BundleJson = {
  verificationMaterial: {
    tlogEntries: {
      kindVersion: { kind: string; version: string };
      inclusionPromise?: unknown;
    }[];
    timestampVerificationData?: { rfc3161Timestamps: unknown[] };
  };
};

describe('#keylessSigner with Rekor v2', () => {
  let standIn: StandIn;

  beforeAll(async () => {
    standIn = await startStandIn({ rekorVersion: 2 });
  });

  afterAll(async () => {
    await standIn.close();
  });

  describe('when no TSA is given', () => {
    it('throws SIGNING_BAD_OPTIONS', () => {
      const make = () =>
        keylessSigner({
          fulcioURL: standIn.fulcioURL,
          rekorURL: standIn.rekorURL,
          rekorVersion: 2,
          identityToken: 'a.b.c',
        });
      expect(make).toThrow(SigningError);
      expect(make).toThrow(
        expect.objectContaining({ code: 'SIGNING_BAD_OPTIONS' }),
      );
    });
  });

  describe('when the version is neither 1 nor 2', () => {
    it('throws SIGNING_BAD_OPTIONS', () => {
      const make = () =>
        keylessSigner({
          fulcioURL: standIn.fulcioURL,
          rekorURL: standIn.rekorURL,
          tsaServerURL: standIn.tsaURL,
          rekorVersion: 3 as 2,
          identityToken: 'a.b.c',
        });
      expect(make).toThrow(
        expect.objectContaining({ code: 'SIGNING_BAD_OPTIONS' }),
      );
    });
  });

  describe('when a TSA is given', () => {
    let bundle: BundleJson;

    beforeAll(async () => {
      const signer = keylessSigner({
        fulcioURL: standIn.fulcioURL,
        rekorURL: standIn.rekorURL,
        tsaServerURL: standIn.tsaURL,
        rekorVersion: 2,
        identityToken: await standIn.mintToken(IDENTITY),
      });
      bundle = (await signer.signDsse(PAYLOAD, PAYLOAD_TYPE)) as BundleJson;
    });

    it('returns a bundle with a dsse 0.0.2 entry and a timestamp', () => {
      const [entry] = bundle.verificationMaterial.tlogEntries;
      expect(entry?.kindVersion).toEqual({ kind: 'dsse', version: '0.0.2' });
      expect(entry?.inclusionPromise).toBeUndefined();
      const stamps = bundle.verificationMaterial.timestampVerificationData;
      expect(stamps?.rfc3161Timestamps).toHaveLength(1);
    });

    it('verifies against the stand-in trusted root', async () => {
      const root = loadTrustedRoot(standIn.trustedRoot);
      const verified = await verifyAttestation(bundle, root);
      expect(verified.signer).toEqual({
        identity: IDENTITY,
        issuer: standIn.issuer,
      });
      expect(verified.payload.equals(PAYLOAD)).toBe(true);
    });

    it('fails verification when the payload changes', async () => {
      const root = loadTrustedRoot(standIn.trustedRoot);
      const changed = structuredClone(bundle) as unknown as {
        dsseEnvelope: { payload: string };
      };
      changed.dsseEnvelope.payload =
        Buffer.from('{"_type":"x"}').toString('base64');
      await expect(verifyAttestation(changed, root)).rejects.toMatchObject({
        code: 'VERIFY_SIGNATURE_FAILED',
      });
    });
  });
});
