import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { keylessSigner } from '../../src/signing/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const CLOSED = 'http://127.0.0.1:9';

let standIn: StandIn;
beforeAll(async () => {
  standIn = await startStandIn();
});
afterAll(async () => standIn.close());

describe('keylessSigner#signDsse', () => {
  describe('when the identity token has expired', () => {
    it('throws SIGNING_NO_TOKEN with the expiry, before any request', async () => {
      const token = `${b64({ alg: 'ES256' })}.${b64({ exp: 1_000 })}.c2ln`;
      const signer = keylessSigner({
        fulcioURL: CLOSED,
        rekorURL: CLOSED,
        identityToken: token,
      });
      const error = (await signer
        .signDsse(Buffer.from('{}'), 'application/json')
        .catch((e: unknown) => e)) as { code: string; message: string };
      expect(error.code).toBe('SIGNING_NO_TOKEN');
      expect(error.message).toContain('expired at 1970-01-01T00:16:40.000Z');
      expect(error.message).not.toContain(token);
    });
  });

  describe('when the services do not answer', () => {
    it('throws SIGNING_FAILED naming the URLs tried', async () => {
      const token = await standIn.mintToken('me@example.com');
      const signer = keylessSigner({
        fulcioURL: CLOSED,
        rekorURL: CLOSED,
        identityToken: token,
      });
      const error = (await signer
        .signDsse(Buffer.from('{}'), 'application/json')
        .catch((e: unknown) => e)) as { code: string; message: string };
      expect(error.code).toBe('SIGNING_FAILED');
      expect(error.message).toContain(`no answer from ${CLOSED}`);
      expect(error.message).not.toContain(token);
    });
  });
});
