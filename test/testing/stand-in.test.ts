import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { keylessSigner } from '../../src/signing/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';

process.env.NO_PROXY = '127.0.0.1,localhost';

describe('#startStandIn', () => {
  let standIn: StandIn;

  beforeAll(async () => {
    standIn = await startStandIn();
  });

  afterAll(async () => {
    await standIn.close();
  });

  describe('when started', () => {
    it('listens on 127.0.0.1 only', () => {
      expect(standIn.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(standIn.fulcioURL).toBe(standIn.url);
    });

    it('serves OIDC discovery for its issuer', async () => {
      const res = await fetch(
        `${standIn.issuer}/.well-known/openid-configuration`,
      );
      const doc = (await res.json()) as Record<string, unknown>;
      expect(doc.issuer).toBe(standIn.issuer);
      const jwks = await fetch(String(doc.jwks_uri));
      expect(jwks.status).toBe(200);
    });

    it('returns 404 for unknown routes', async () => {
      const res = await fetch(`${standIn.url}/api/v1/unknown`, {
        method: 'POST',
        body: '{}',
      });
      expect(res.status).toBe(404);
    });
  });

  describe('after refusing an entry too large for its log', () => {
    it('signs the next request, on a connection of its own', async () => {
      const sign = async (payload: Buffer) =>
        keylessSigner({
          fulcioURL: standIn.fulcioURL,
          rekorURL: standIn.rekorURL,
          identityToken: await standIn.mintToken('a@example.com'),
        }).signDsse(payload, 'application/vnd.in-toto+json');
      await expect(sign(Buffer.alloc(3 * 1024 * 1024, 0x61))).rejects.toThrow(
        /413/,
      );
      await expect(sign(Buffer.from('{}'))).resolves.toHaveProperty(
        'dsseEnvelope',
      );
    });
  });
});
