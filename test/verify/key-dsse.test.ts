import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { VerifyError } from '../../src/errors.js';
import { keySigner } from '../../src/signing/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';
import { verifyBundle } from '../../src/verify/bundle.js';
import { loadPublicKey } from '../../src/verify/public-key.js';
import { loadTrustedRoot } from '../../src/verify/trusted-root.js';
import { runCaptured as cli } from '../cli/capture.js';

process.env.NO_PROXY = '127.0.0.1,localhost';

const ARTIFACT = Buffer.from('int8 weights of a small model\n');
const SHA256 = createHash('sha256').update(ARTIFACT).digest('hex');
const STATEMENT = Buffer.from(
  JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'model.safetensors', digest: { sha256: SHA256 } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {},
  }),
);
const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

function keyPair(type: string) {
  const pair =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: type });
  return {
    privatePem: pair.privateKey
      .export({ type: 'pkcs8', format: 'pem' })
      .toString(),
    publicPem: pair.publicKey
      .export({ type: 'spki', format: 'pem' })
      .toString(),
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

describe('#verifyBundle with a key-signed DSSE bundle', () => {
  let standIn: StandIn;

  beforeAll(async () => {
    standIn = await startStandIn();
  });

  afterAll(async () => {
    await standIn.close();
  });

  for (const type of ['P-256', 'P-384', 'ed25519']) {
    describe(`when the key is ${type} and the envelope is logged`, () => {
      const { privatePem, publicPem } = keyPair(type);
      let bundle: string;
      const run = (key = publicPem, artifact = ARTIFACT) =>
        verifyBundle({
          bundle,
          artifact: { bytes: artifact },
          policy: { key },
          trustedRoot: loadTrustedRoot(standIn.trustedRoot),
        });

      beforeAll(async () => {
        const signer = keySigner({
          privateKey: privatePem,
          rekorURL: standIn.rekorURL,
          tsaServerURL: standIn.tsaURL,
        });
        bundle = JSON.stringify(await signer.signDsse(STATEMENT, PAYLOAD_TYPE));
      });

      it('carries a public-key hint and no certificate', () => {
        const material = (
          JSON.parse(bundle) as {
            verificationMaterial: Record<string, unknown>;
          }
        ).verificationMaterial;
        expect(material.certificate).toBeUndefined();
        expect(material.publicKey).toEqual({
          hint: loadPublicKey(publicPem).digest.slice('sha256:'.length),
        });
      });

      it('verifies with the public key', async () => {
        const result = await run();
        expect(result.content).toBe('dsse');
        expect(result.signer).toMatchObject({
          kind: 'key',
          keyDigest: loadPublicKey(publicPem).digest,
        });
        expect(Number.isNaN(result.signedAt.getTime())).toBe(false);
      });

      it('throws VERIFY_KEY_MISMATCH for another key', async () => {
        expect(await codeOf(run(keyPair(type).publicPem))).toBe(
          'VERIFY_KEY_MISMATCH',
        );
      });

      it('throws VERIFY_SUBJECT_MISMATCH for a changed artifact', async () => {
        const changed = Buffer.from(ARTIFACT);
        changed[0] ^= 1;
        expect(await codeOf(run(publicPem, changed))).toBe(
          'VERIFY_SUBJECT_MISMATCH',
        );
      });
    });
  }

  describe('when the bundle was signed fully offline', () => {
    const { privatePem, publicPem } = keyPair('P-256');
    let bundle: string;
    const run = (allowUnlogged: boolean) =>
      verifyBundle({
        bundle,
        artifact: { bytes: ARTIFACT },
        policy: { key: publicPem },
        trustedRoot: loadTrustedRoot(standIn.trustedRoot),
        allowUnlogged,
      });

    beforeAll(async () => {
      const signer = keySigner({ privateKey: privatePem });
      bundle = JSON.stringify(await signer.signDsse(STATEMENT, PAYLOAD_TYPE));
    });

    it('verifies with the key when unlogged bundles are allowed', async () => {
      const result = await run(true);
      expect(result.tlogEntries).toEqual([]);
      expect(Number.isNaN(result.signedAt.getTime())).toBe(true);
    });

    it('throws VERIFY_TIMESTAMP_FAILED by default: no signed time', async () => {
      expect(await codeOf(run(false))).toBe('VERIFY_TIMESTAMP_FAILED');
    });

    it('verifies through mprov verify-bundle --allow-unlogged, and not without', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'mprov-unlogged-'));
      try {
        const [b, k, a] = ['bundle.json', 'key.pem', 'artifact'].map((f) =>
          join(dir, f),
        );
        await writeFile(b, bundle);
        await writeFile(k, publicPem);
        await writeFile(a, ARTIFACT);
        const args = ['verify-bundle', '--bundle', b, '--key', k, a];
        const accepted = await cli(...args, '--allow-unlogged');
        expect(accepted.code).toBe(0);
        expect(accepted.stdout).toContain('no signed time (unlogged)');
        const refused = await cli(...args);
        expect(refused.code).toBe(1);
        expect(refused.stdout).toContain('hint: ');
        expect(refused.stdout).toContain('--allow-unlogged');
        const misuse = await cli(
          'verify-bundle',
          '--bundle',
          b,
          '--allow-unlogged',
          a,
        );
        expect(misuse.code).toBe(2);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('throws VERIFY_MATERIAL_MISMATCH for a certificate policy', async () => {
      const error = verifyBundle({
        bundle,
        artifact: { bytes: ARTIFACT },
        policy: { certificate: { identity: 'a@example.com', issuer: 'x' } },
        trustedRoot: loadTrustedRoot(standIn.trustedRoot),
        allowUnlogged: true,
      });
      expect(await codeOf(error)).toBe('VERIFY_MATERIAL_MISMATCH');
    });
  });
});
