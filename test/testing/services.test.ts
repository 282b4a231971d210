import { generateKeyPairSync, sign } from 'node:crypto';

import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startStandIn, type StandIn } from '../../src/testing/index.js';

process.env.NO_PROXY = '127.0.0.1,localhost';

const IDENTITY = 'https://ci.example.com/pipelines/export';

function certRequest(token: string, subject = IDENTITY, tamper = false) {
  const { publicKey, privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
  });
  const proof = sign('sha256', Buffer.from(subject), privateKey);
  if (tamper) proof[proof.length - 1] ^= 1;
  return JSON.stringify({
    credentials: { oidcIdentityToken: token },
    publicKeyRequest: {
      publicKey: {
        algorithm: 'ECDSA',
        content: publicKey.export({ format: 'pem', type: 'spki' }),
      },
      proofOfPossession: proof.toString('base64'),
    },
  });
}

describe('stand-in services', () => {
  let standIn: StandIn;
  const post = (path: string, body: string) =>
    fetch(`${standIn.url}${path}`, { method: 'POST', body });

  beforeAll(async () => {
    standIn = await startStandIn();
  });

  afterAll(async () => {
    await standIn.close();
  });

  describe('#startStandIn', () => {
    describe('when asked for a Rekor version it does not serve', () => {
      it('throws RangeError', async () => {
        const opts = { rekorVersion: 3 } as unknown as { rekorVersion: 1 };
        await expect(startStandIn(opts)).rejects.toThrow(RangeError);
      });
    });

    describe('when started', () => {
      it('returns a trusted root valid from about a minute ago', () => {
        const root = standIn.trustedRoot as {
          tlogs: {
            baseUrl: string;
            publicKey: { validFor: { start: string } };
          }[];
        };
        expect(root.tlogs[0].baseUrl).toBe(standIn.url);
        const start = Date.parse(root.tlogs[0].publicKey.validFor.start);
        expect(Date.now() - start).toBeGreaterThanOrEqual(60_000);
        expect(Date.now() - start).toBeLessThan(120_000);
      });
    });
  });

  describe('POST /api/v2/signingCert', () => {
    describe('when token and proof are valid', () => {
      it('returns 201 with a leaf and the root', async () => {
        const token = await standIn.mintToken(IDENTITY);
        const res = await post('/api/v2/signingCert', certRequest(token));
        expect(res.status).toBe(201);
        const body = (await res.json()) as {
          signedCertificateEmbeddedSct: { chain: { certificates: string[] } };
        };
        expect(
          body.signedCertificateEmbeddedSct.chain.certificates,
        ).toHaveLength(2);
      });
    });

    describe('when the token is signed by another key', () => {
      it('returns 401 without echoing the token', async () => {
        const { privateKey } = await generateKeyPair('ES256');
        const token = await new SignJWT({})
          .setProtectedHeader({ alg: 'ES256' })
          .setIssuer(standIn.issuer)
          .setSubject(IDENTITY)
          .setAudience('sigstore')
          .setExpirationTime('5m')
          .sign(privateKey);
        const res = await post('/api/v2/signingCert', certRequest(token));
        expect(res.status).toBe(401);
        expect(await res.text()).not.toContain(token);
      });
    });

    describe('when the token comes from a foreign issuer', () => {
      it('returns 401', async () => {
        const token = await standIn.mintToken(IDENTITY, {
          issuer: 'https://accounts.elsewhere.example',
        });
        const res = await post('/api/v2/signingCert', certRequest(token));
        expect(res.status).toBe(401);
      });
    });

    describe('when the proof of possession does not verify', () => {
      it('returns 400', async () => {
        const token = await standIn.mintToken(IDENTITY);
        const body = certRequest(token, IDENTITY, true);
        const res = await post('/api/v2/signingCert', body);
        expect(res.status).toBe(400);
      });
    });
  });

  describe('POST /api/v1/log/entries', () => {
    describe('when the entry is not a dsse proposal', () => {
      it('returns 400', async () => {
        const body = JSON.stringify({
          kind: 'hashedrekord',
          apiVersion: '0.0.1',
        });
        const res = await post('/api/v1/log/entries', body);
        expect(res.status).toBe(400);
      });
    });
  });

  describe('POST /api/v2/log/entries', () => {
    describe('when the request is not a dsse 0.0.2 request', () => {
      it('returns 400', async () => {
        const body = JSON.stringify({ hashedRekordRequestV002: {} });
        const res = await post('/api/v2/log/entries', body);
        expect(res.status).toBe(400);
      });
    });

    describe('when the envelope signature does not verify', () => {
      it('returns 400', async () => {
        const body = JSON.stringify({
          dsseRequestV002: {
            envelope: {
              payload: 'e30=',
              payloadType: 'application/vnd.in-toto+json',
              signatures: [{ sig: 'AAAA', keyid: '' }],
            },
            verifiers: [],
          },
        });
        const res = await post('/api/v2/log/entries', body);
        expect(res.status).toBe(400);
      });
    });
  });

  describe('any POST route', () => {
    describe('when the body exceeds the size limit', () => {
      it('returns 413', async () => {
        const res = await post(
          '/api/v1/timestamp',
          'x'.repeat(2 * 1024 * 1024),
        );
        expect(res.status).toBe(413);
      });
    });
  });
});
