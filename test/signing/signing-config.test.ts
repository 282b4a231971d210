import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SigningError } from '../../src/errors.js';
import {
  SIGNING_CONFIG_MEDIA_TYPE,
  selectServices,
  signerFromSigningConfig,
} from '../../src/signing/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';
import { verifyAttestation } from '../../src/verify/attestation.js';
import { loadTrustedRoot } from '../../src/verify/trusted-root.js';

process.env.NO_PROXY = '127.0.0.1,localhost';

const PAST = { start: '2020-01-01T00:00:00Z', end: '2021-01-01T00:00:00Z' };
const NOW = { start: '2024-01-01T00:00:00Z' };

function service(url: string, majorApiVersion: number, validFor: object) {
  return { url, majorApiVersion, validFor, operator: 'stand-in' };
}

/** A config naming the stand-in, with a retired service beside each. */
function configFor(url: string, rekorVersions = [1, 2]) {
  return {
    mediaType: SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: [service('http://127.0.0.1:9', 1, PAST), service(url, 1, NOW)],
    oidcUrls: [],
    rekorTlogUrls: [
      service('http://127.0.0.1:9', 2, PAST),
      ...rekorVersions.map((v) => service(url, v, NOW)),
    ],
    rekorTlogConfig: { selector: 'ANY' },
    tsaUrls: [service(`${url}/api/v1/timestamp`, 1, NOW)],
    tsaConfig: { selector: 'ANY' },
  };
}

function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SigningError);
    return (error as SigningError).code;
  }
  throw new Error('expected an error');
}

describe('signing config', () => {
  let standIn: StandIn;

  beforeAll(async () => {
    standIn = await startStandIn({ rekorVersion: 2 });
  });

  afterAll(async () => {
    await standIn.close();
  });

  describe('#selectServices', () => {
    it('picks the services valid now, Rekor v2 over v1', () => {
      expect(selectServices(configFor(standIn.url))).toEqual({
        fulcioURL: standIn.url,
        rekorURL: standIn.url,
        rekorVersion: 2,
        tsaServerURL: `${standIn.url}/api/v1/timestamp`,
      });
    });

    it('reads the config from JSON text', () => {
      const text = JSON.stringify(configFor(standIn.url, [1]));
      expect(selectServices(text).rekorVersion).toBe(1);
    });

    it('throws SIGNING_BAD_CONFIG for another media type', () => {
      const config = { ...configFor(standIn.url), mediaType: 'x' };
      expect(configError(() => selectServices(config))).toBe(
        'SIGNING_BAD_CONFIG',
      );
    });

    it('throws SIGNING_BAD_CONFIG when no Rekor is valid now', () => {
      const config = configFor(standIn.url, []);
      expect(configError(() => selectServices(config))).toBe(
        'SIGNING_BAD_CONFIG',
      );
    });

    it('throws SIGNING_BAD_CONFIG for Rekor v2 with no TSA', () => {
      const config = { ...configFor(standIn.url, [2]), tsaUrls: [] };
      expect(configError(() => selectServices(config))).toBe(
        'SIGNING_BAD_CONFIG',
      );
    });

    it('throws SIGNING_BAD_CONFIG for text that is not JSON', () => {
      expect(configError(() => selectServices('{'))).toBe('SIGNING_BAD_CONFIG');
    });
  });

  describe('#signerFromSigningConfig', () => {
    it('signs through the selected services, verifiably', async () => {
      const token = await standIn.mintToken('release@example.com');
      const signer = signerFromSigningConfig(configFor(standIn.url), token);
      const bundle = (await signer.signDsse(
        Buffer.from('{}'),
        'application/vnd.in-toto+json',
      )) as {
        verificationMaterial: { tlogEntries: { kindVersion: unknown }[] };
      };
      expect(bundle.verificationMaterial.tlogEntries[0]?.kindVersion).toEqual({
        kind: 'dsse',
        version: '0.0.2',
      });
      const verified = await verifyAttestation(
        bundle,
        loadTrustedRoot(standIn.trustedRoot),
      );
      expect(verified.signer.identity).toBe('release@example.com');
    });
  });
});
