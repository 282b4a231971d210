import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SigningError } from '../../src/errors.js';
import { keylessSigner, type KeylessOptions } from '../../src/signing/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';

process.env.NO_PROXY = '127.0.0.1,localhost';

const PAYLOAD = Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}');
const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const IDENTITY = 'https://ci.example.com/pipelines/export';

type BundleJson = {
  mediaType: string;
  dsseEnvelope: { payload: string; payloadType: string; signatures: unknown[] };
  verificationMaterial: {
    certificate?: unknown;
    tlogEntries: { kindVersion: { kind: string; version: string } }[];
    timestampVerificationData?: { rfc3161Timestamps: unknown[] };
  };
};

/** Every text an error exposes: messages and stacks down its cause chain. */
function exposedText(error: unknown): string {
  const texts: string[] = [];
  for (let e = error, depth = 0; e !== undefined && depth < 10; depth++) {
    if (!(e instanceof Error)) {
      texts.push(JSON.stringify(e) ?? typeof e);
      break;
    }
    texts.push(e.message, e.stack ?? '', JSON.stringify(e));
    e = e.cause;
  }
  return texts.join('\n');
}

async function failure(promise: Promise<unknown>): Promise<SigningError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SigningError);
  return error as SigningError;
}

describe('#keylessSigner', () => {
  let standIn: StandIn;
  let base: KeylessOptions;

  beforeAll(async () => {
    standIn = await startStandIn();
    base = { fulcioURL: standIn.fulcioURL, rekorURL: standIn.rekorURL };
  });

  afterAll(async () => {
    await standIn.close();
  });

  describe('when the options are invalid', () => {
    it('throws SIGNING_BAD_OPTIONS for a URL that is not http(s)', () => {
      const make = () =>
        keylessSigner({ ...base, fulcioURL: 'file:///etc/passwd' });
      expect(make).toThrow(SigningError);
      expect(make).toThrow(
        expect.objectContaining({ code: 'SIGNING_BAD_OPTIONS' }),
      );
    });

    it('throws SIGNING_BAD_OPTIONS for two token sources', () => {
      const make = () =>
        keylessSigner({
          ...base,
          identityToken: 'a.b.c',
          tokenProvider: () => Promise.resolve('a.b.c'),
        });
      expect(make).toThrow(
        expect.objectContaining({ code: 'SIGNING_BAD_OPTIONS' }),
      );
    });
  });

  describe('#signDsse', () => {
    describe('when the stand-in accepts the token', () => {
      it('returns a v0.3 bundle with a DSSE envelope and a dsse log entry', async () => {
        const identityToken = await standIn.mintToken(IDENTITY);
        const signer = keylessSigner({ ...base, identityToken });
        const bundle = (await signer.signDsse(
          PAYLOAD,
          PAYLOAD_TYPE,
        )) as BundleJson;
        expect(bundle.mediaType).toBe(
          'application/vnd.dev.sigstore.bundle.v0.3+json',
        );
        expect(Buffer.from(bundle.dsseEnvelope.payload, 'base64')).toEqual(
          PAYLOAD,
        );
        expect(bundle.dsseEnvelope.payloadType).toBe(PAYLOAD_TYPE);
        expect(bundle.dsseEnvelope.signatures).toHaveLength(1);
        expect(bundle.verificationMaterial.certificate).toBeDefined();
        expect(bundle.verificationMaterial.tlogEntries[0].kindVersion).toEqual({
          kind: 'dsse',
          version: '0.0.1',
        });
        const tsa = bundle.verificationMaterial.timestampVerificationData;
        expect(tsa?.rfc3161Timestamps ?? []).toHaveLength(0);
      });

      it('adds an RFC 3161 timestamp when a TSA is given', async () => {
        const signer = keylessSigner({
          ...base,
          tsaServerURL: standIn.tsaURL,
          tokenProvider: () => standIn.mintToken(IDENTITY),
        });
        const bundle = (await signer.signDsse(
          PAYLOAD,
          PAYLOAD_TYPE,
        )) as BundleJson;
        const tsa = bundle.verificationMaterial.timestampVerificationData;
        expect(tsa?.rfc3161Timestamps).toHaveLength(1);
      });
    });

    describe('when Fulcio refuses the token', () => {
      it('throws SIGNING_FAILED without the token anywhere', async () => {
        const token = await standIn.mintToken(IDENTITY, {
          issuer: 'https://issuer.elsewhere.example',
        });
        const signer = keylessSigner({ ...base, identityToken: token });
        const error = await failure(signer.signDsse(PAYLOAD, PAYLOAD_TYPE));
        expect(error.code).toBe('SIGNING_FAILED');
        expect(exposedText(error)).not.toContain(token);
      });
    });

    describe('when sigstore-js quotes the token in its own error', () => {
      it('throws SIGNING_FAILED with the token scrubbed from the cause chain', async () => {
        // A JWT without subject makes @sigstore/sign throw
        // "invalid identity token: <token>".
        const key = new TextEncoder().encode('k'.repeat(32));
        const token = await new SignJWT({ aud: 'sigstore' })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(key);
        const signer = keylessSigner({ ...base, identityToken: token });
        const error = await failure(signer.signDsse(PAYLOAD, PAYLOAD_TYPE));
        expect(error.code).toBe('SIGNING_FAILED');
        expect(error.cause).toBeInstanceOf(Error);
        const text = exposedText(error);
        expect(text).toContain('[redacted]');
        expect(text).not.toContain(token);
        for (const part of token.split('.')) expect(text).not.toContain(part);
      });
    });

    describe('when the services cannot be reached', () => {
      it('throws SIGNING_FAILED without the token anywhere', async () => {
        const closed = await startStandIn();
        const token = await closed.mintToken(IDENTITY);
        await closed.close();
        const signer = keylessSigner({
          fulcioURL: closed.fulcioURL,
          rekorURL: closed.rekorURL,
          identityToken: token,
        });
        const error = await failure(signer.signDsse(PAYLOAD, PAYLOAD_TYPE));
        expect(error.code).toBe('SIGNING_FAILED');
        expect(exposedText(error)).not.toContain(token);
      });
    });

    describe('when the token is not a JWT', () => {
      it('throws SIGNING_NO_TOKEN without the token', async () => {
        const token = 'not-a-jwt-but-a-secret-value';
        const signer = keylessSigner({ ...base, identityToken: token });
        const error = await failure(signer.signDsse(PAYLOAD, PAYLOAD_TYPE));
        expect(error.code).toBe('SIGNING_NO_TOKEN');
        expect(exposedText(error)).not.toContain(token);
      });
    });

    describe('when the token provider fails', () => {
      it('throws SIGNING_NO_TOKEN', async () => {
        const signer = keylessSigner({
          ...base,
          tokenProvider: () =>
            Promise.reject(new Error('metadata server down')),
        });
        const error = await failure(signer.signDsse(PAYLOAD, PAYLOAD_TYPE));
        expect(error.code).toBe('SIGNING_NO_TOKEN');
      });
    });
  });
});
