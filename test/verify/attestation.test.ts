import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { VerifyError } from '../../src/errors.js';
import { keylessSigner } from '../../src/signing/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';
import {
  loadTrustedRoot,
  verifyAttestation,
  type TrustedRootHandle,
} from '../../src/verify/index.js';
import { clone, PAYLOAD_TYPE, readTestdata, STATEMENT } from './fixtures.js';

process.env.NO_PROXY = '127.0.0.1,localhost';

const URI_IDENTITY =
  'https://ci.example.com/pipelines/quantize@refs/heads/main';
const EMAIL_IDENTITY = 'release-bot@example.com';

type Json = Record<string, unknown> & {
  dsseEnvelope: { payload: string; signatures: { sig: string }[] };
};

async function expectCode(promise: Promise<unknown>, code: string) {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VerifyError);
  expect((error as VerifyError).code).toBe(code);
  return error as VerifyError;
}

describe('#verifyAttestation', () => {
  let standIn: StandIn;
  let other: StandIn;
  let root: TrustedRootHandle;
  let uriBundle: Json;
  let emailBundle: Json;
  let signStart: number;

  beforeAll(async () => {
    [standIn, other] = await Promise.all([startStandIn(), startStandIn()]);
    root = loadTrustedRoot(standIn.trustedRoot);
    signStart = Math.floor(Date.now() / 1000) * 1000;
    const sign = async (identity: string, tsa: boolean) =>
      keylessSigner({
        fulcioURL: standIn.fulcioURL,
        rekorURL: standIn.rekorURL,
        tsaServerURL: tsa ? standIn.tsaURL : undefined,
        identityToken: await standIn.mintToken(identity),
      }).signDsse(STATEMENT, PAYLOAD_TYPE) as Promise<Json>;
    [uriBundle, emailBundle] = await Promise.all([
      sign(URI_IDENTITY, true),
      sign(EMAIL_IDENTITY, false),
    ]);
  });

  afterAll(async () => {
    await Promise.all([standIn.close(), other.close()]);
  });

  describe('when a URI identity signed through the stand-in with a TSA', () => {
    it('returns the identical payload bytes, identity and issuer', async () => {
      const verified = await verifyAttestation(uriBundle, root);
      expect(verified.payload.equals(STATEMENT)).toBe(true);
      expect(verified.payloadType).toBe(PAYLOAD_TYPE);
      expect(verified.signer).toEqual({
        identity: URI_IDENTITY,
        issuer: standIn.issuer,
      });
    });

    it('returns a signed time from the signing run', async () => {
      const { signedAt } = await verifyAttestation(uriBundle, root);
      expect(signedAt.getTime()).toBeGreaterThanOrEqual(signStart);
      expect(signedAt.getTime()).toBeLessThanOrEqual(Date.now());
    });
  });

  describe('when an e-mail identity signed without a TSA', () => {
    it('returns the e-mail as identity', async () => {
      const verified = await verifyAttestation(emailBundle, root);
      expect(verified.signer.identity).toBe(EMAIL_IDENTITY);
      expect(verified.payload.equals(STATEMENT)).toBe(true);
    });
  });

  describe('when verified against another stand-in trusted root', () => {
    it('throws VERIFY_SIGNATURE_FAILED with the cause', async () => {
      const wrong = loadTrustedRoot(other.trustedRoot);
      const error = await expectCode(
        verifyAttestation(uriBundle, wrong),
        'VERIFY_SIGNATURE_FAILED',
      );
      expect(error.cause).toBeInstanceOf(Error);
    });
  });

  describe('when the trusted root was not made by loadTrustedRoot', () => {
    it('throws VERIFY_TRUSTED_ROOT_INVALID', async () => {
      const forged = { digest: root.digest };
      await expectCode(
        verifyAttestation(uriBundle, forged),
        'VERIFY_TRUSTED_ROOT_INVALID',
      );
    });
  });

  describe('when the payload was tampered with', () => {
    it('throws VERIFY_SIGNATURE_FAILED', async () => {
      const tampered = clone(uriBundle);
      const statement = STATEMENT.toString().replace('"bits":4', '"bits":8');
      tampered.dsseEnvelope.payload = Buffer.from(statement).toString('base64');
      await expectCode(
        verifyAttestation(tampered, root),
        'VERIFY_SIGNATURE_FAILED',
      );
    });
  });

  describe('when the payload type was changed', () => {
    it('throws VERIFY_SIGNATURE_FAILED', async () => {
      const tampered = clone(uriBundle);
      tampered.dsseEnvelope = {
        ...tampered.dsseEnvelope,
        payloadType: 'application/json',
      } as Json['dsseEnvelope'];
      await expectCode(
        verifyAttestation(tampered, root),
        'VERIFY_SIGNATURE_FAILED',
      );
    });
  });

  describe('when the envelope carries two signatures', () => {
    it('throws VERIFY_SIGNATURE_COUNT', async () => {
      const doubled = clone(uriBundle);
      const [sig] = doubled.dsseEnvelope.signatures;
      doubled.dsseEnvelope.signatures = [sig, clone(sig)];
      await expectCode(
        verifyAttestation(doubled, root),
        'VERIFY_SIGNATURE_COUNT',
      );
    });
  });

  describe('when the bundle holds a message signature', () => {
    it('throws VERIFY_NOT_DSSE', async () => {
      const bundle = readTestdata(
        'sigstore-js/fixtures-extracted',
        'client-valid-v3-messageSignature-withSigningCert.json',
      );
      await expectCode(verifyAttestation(bundle, root), 'VERIFY_NOT_DSSE');
    });
  });

  describe('when the input is not a bundle', () => {
    it.each([
      ['null', null],
      ['a string', 'bundle'],
      ['an empty object', {}],
      ['an envelope without signatures', { dsseEnvelope: {} }],
      [
        'a bundle without verification material',
        { dsseEnvelope: { payload: '', payloadType: 'x', signatures: [{}] } },
      ],
    ])('throws VERIFY_BUNDLE_MALFORMED for %s', async (_name, input) => {
      await expectCode(
        verifyAttestation(input, root),
        'VERIFY_BUNDLE_MALFORMED',
      );
    });

    it('throws VERIFY_BUNDLE_MALFORMED for a certificate that is not DER', async () => {
      const broken = clone(uriBundle);
      const material = broken.verificationMaterial as {
        certificate: { rawBytes: string };
      };
      material.certificate.rawBytes =
        Buffer.from('not a cert').toString('base64');
      await expectCode(
        verifyAttestation(broken, root),
        'VERIFY_BUNDLE_MALFORMED',
      );
    });

    it('throws only VerifyError for arbitrary JSON', async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), async (value) => {
          const error: unknown = await verifyAttestation(value, root).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(VerifyError);
        }),
        { numRuns: 200 },
      );
    });

    it('throws only VerifyError when fields of a real bundle are mangled', async () => {
      const paths = leafPaths(uriBundle);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...paths),
          fc.jsonValue(),
          async (path, value) => {
            const mangled = clone(uriBundle);
            setPath(mangled, path, value);
            const result: unknown = await verifyAttestation(mangled, root).then(
              () => undefined,
              (e: unknown) => e,
            );
            if (result !== undefined)
              expect(result).toBeInstanceOf(VerifyError);
          },
        ),
        { numRuns: 100 },
      );
    });
  });

  describe('when given a real public-good v0.3 DSSE bundle', () => {
    const publicGood = () =>
      loadTrustedRoot(readTestdata('public-good', 'trusted_root.json'));
    const bundle = () =>
      readTestdata('sigstore-js/compat-bundles', 'bundleV03-dsse.sigstore');

    it('verifies offline against the public-good trusted root', async () => {
      const verified = await verifyAttestation(bundle(), publicGood());
      const statement = readTestdata(
        'sigstore-js/compat-bundles',
        'statement.json',
      );
      expect(JSON.parse(verified.payload.toString('utf8'))).toEqual(statement);
      // An npm publish signed interactively: an e-mail SAN, GitHub OAuth.
      expect(verified.signer).toEqual({
        identity: 'brian@dehamer.com',
        issuer: 'https://github.com/login/oauth',
      });
      expect(verified.signedAt.toISOString()).toBe('2023-07-12T15:50:43.000Z');
    });

    it('throws VERIFY_SIGNATURE_FAILED against the stand-in root', async () => {
      await expectCode(
        verifyAttestation(bundle(), root),
        'VERIFY_SIGNATURE_FAILED',
      );
    });
  });
});

function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) =>
    leafPaths(child, [...prefix, key]),
  );
}

function setPath(target: unknown, path: string[], value: unknown): void {
  let node = target as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}
