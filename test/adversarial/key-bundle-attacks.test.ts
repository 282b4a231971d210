/**
 * Attacks on key-signed attestations by someone who controls the bundles
 * but holds no allowed private key: hints, mixed material, forged log
 * entries and times under allowUnlogged, keys of another type or encoding.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { reencoded } from './key-encodings.js';
import { preAuthEncoding } from '../../src/dsse/pae.js';
import { VerifyError } from '../../src/errors.js';
import { parseBundleText } from '../../src/verify/bundle-input.js';
import { keylessSigner, keySigner } from '../../src/signing/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';
import {
  loadPublicKey,
  loadTrustedRoot,
  verifyAttestation,
} from '../../src/verify/index.js';

process.env.NO_PROXY = '127.0.0.1,localhost';

const PAYLOAD = Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}');
const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
type Json = Record<string, Record<string, unknown>>;

const pemOf = (k: KeyObject) =>
  k.export({ type: 'spki', format: 'pem' }).toString();
const pkcs8 = (k: KeyObject) =>
  k.export({ type: 'pkcs8', format: 'pem' }).toString();

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VerifyError);
  return (error as VerifyError).code;
}

const clone = (j: Json): Json => JSON.parse(JSON.stringify(j)) as Json;

describe('#verifyAttestation against key attacks', () => {
  let standIn: StandIn;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  let logged: Json;
  let offline: Json;
  let keyless: Json;
  const root = () => loadTrustedRoot(standIn.trustedRoot);
  const keys = [loadPublicKey(pemOf(ec.publicKey))];

  beforeAll(async () => {
    standIn = await startStandIn();
    const by = (rekorURL?: string) =>
      keySigner({
        privateKey: pkcs8(ec.privateKey),
        ...(rekorURL && { rekorURL }),
      }).signDsse(PAYLOAD, PAYLOAD_TYPE);
    logged = (await by(standIn.rekorURL)) as Json;
    offline = (await by()) as Json;
    keyless = (await keylessSigner({
      fulcioURL: standIn.fulcioURL,
      rekorURL: standIn.rekorURL,
      identityToken: await standIn.mintToken('mallory@example.net'),
    }).signDsse(PAYLOAD, PAYLOAD_TYPE)) as Json;
  });
  afterAll(async () => standIn.close());

  describe('when a bundle carries a certificate and a key hint', () => {
    it('refuses it as malformed', async () => {
      const both = clone(offline);
      const certificate = keyless.verificationMaterial.certificate;
      both.verificationMaterial = { ...both.verificationMaterial, certificate };
      const code = await codeOf(
        verifyAttestation(both, root(), { keys, allowUnlogged: true }),
      );
      expect(code).toBe('VERIFY_BUNDLE_MALFORMED');
      const error = (() => {
        try {
          return parseBundleText(JSON.stringify(both));
        } catch (e) {
          return e;
        }
      })();
      expect((error as VerifyError).code).toBe('VERIFY_BUNDLE_MALFORMED');
    });
  });

  describe('when a keyless bundle meets a policy of keys only', () => {
    it('returns its certificate identity, never a key id', async () => {
      const verified = await verifyAttestation(keyless, root(), { keys });
      expect(verified.signer).toEqual({
        identity: 'mallory@example.net',
        issuer: standIn.issuer,
      });
    });
  });

  describe('when allowUnlogged meets a forged or partial log entry', () => {
    const entry = () =>
      clone(logged).verificationMaterial.tlogEntries as Json[];
    it('refuses an entry whose inclusion promise is forged', async () => {
      const [e] = entry();
      (e.inclusionPromise as Record<string, string>).signedEntryTimestamp =
        Buffer.alloc(72, 1).toString('base64');
      const forged = clone(offline);
      forged.verificationMaterial.tlogEntries = [e];
      const code = await codeOf(
        verifyAttestation(forged, root(), { keys, allowUnlogged: true }),
      );
      expect(code).toBe('VERIFY_TLOG_FAILED');
    });

    it('refuses an entry with neither promise nor proof', async () => {
      const [e] = entry();
      delete e.inclusionPromise;
      delete e.inclusionProof;
      const partial = clone(offline);
      partial.verificationMaterial.tlogEntries = [e];
      const code = await codeOf(
        verifyAttestation(partial, root(), { keys, allowUnlogged: true }),
      );
      expect(code).toBe('VERIFY_BUNDLE_MALFORMED');
    });

    it('refuses a signed timestamp that no trusted TSA made', async () => {
      const forged = clone(offline);
      forged.verificationMaterial.timestampVerificationData = {
        rfc3161Timestamps: [
          { signedTimestamp: Buffer.alloc(300, 0x30).toString('base64') },
        ],
      };
      const error = await verifyAttestation(forged, root(), {
        keys,
        allowUnlogged: true,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VerifyError);
      expect(['VERIFY_TIMESTAMP_FAILED', 'VERIFY_BUNDLE_MALFORMED']).toContain(
        (error as VerifyError).code,
      );
    });
  });

  describe('when a key of one type is passed off as another', () => {
    it('refuses a P-384 signature made over SHA-256 (as if P-256)', async () => {
      const bundle = (await keySigner({
        privateKey: pkcs8(p384.privateKey),
      }).signDsse(PAYLOAD, PAYLOAD_TYPE)) as Json;
      const pae = preAuthEncoding(PAYLOAD_TYPE, PAYLOAD);
      const sig = sign('sha256', pae, p384.privateKey).toString('base64');
      const envelope = bundle.dsseEnvelope as { signatures: { sig: string }[] };
      envelope.signatures[0].sig = sig;
      const p384Keys = [loadPublicKey(pemOf(p384.publicKey))];
      const code = await codeOf(
        verifyAttestation(bundle, root(), {
          keys: p384Keys,
          allowUnlogged: true,
        }),
      );
      expect(code).toBe('VERIFY_KEY_MISMATCH');
    });
  });

  describe('when one key is given in several encodings', () => {
    it('names it by one key id, whatever the hint says', async () => {
      const forms = [
        pemOf(ec.publicKey),
        reencoded(ec.publicKey, 'compressed'),
      ].map(loadPublicKey);
      expect(new Set(forms.map((k) => k.digest)).size).toBe(1);
      for (const form of forms) {
        const hinted = clone(offline);
        const hint = form.digest.slice('sha256:'.length);
        hinted.verificationMaterial.publicKey = { hint };
        const verified = await verifyAttestation(hinted, root(), {
          keys: forms,
          allowUnlogged: true,
        });
        expect(verified.signer).toEqual({ keyId: keys[0].digest });
      }
    });

    it('refuses the hybrid encoding, as the browser core does', () => {
      expect(() => loadPublicKey(reencoded(ec.publicKey, 'hybrid'))).toThrow(
        expect.objectContaining({ code: 'VERIFY_KEY_INVALID' }),
      );
    });
  });
});
