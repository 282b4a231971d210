import {
  X509Certificate,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
} from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  signModel,
  verifyModelSignature,
  type OmsMethod,
  type OmsSigningMethod,
} from '../../src/interop/index.js';
import { keylessSigner } from '../../src/signing/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';
import { loadTrustedRoot } from '../../src/verify/index.js';
import { TESTDATA } from '../testdata.js';

const canonical = canonicalize as unknown as (v: unknown) => string;
const MS = join(TESTDATA, 'model-signing');
const GOLDEN = join(MS, 'golden/_signing/testdata/signing/TestPayload');
const KEYS = join(MS, 'signed/keys/certificate');

/** Golden name -> the fixture model it was made from. */
const MODELS: Record<string, string> = {
  sample_model_folder: 'sample_model_folder/sample_model',
  sample_model_file: 'sample_model_file/file_model',
  deep_model_folder: 'deep_model_folder/deep_model',
  empty_model_file: 'empty_model_file/empty_file_model',
  empty_model_folder: 'empty_model_folder/empty_folder_model',
  model_folder_with_empty_file:
    'model_folder_with_empty_file/empty_file_inside_model',
};
const SERIALIZATIONS = [
  ['', { serialization: 'files' as const }],
  ['_shard', { serialization: 'shards' as const, shardSize: 1_000_000_000 }],
  ['_small_shards', { serialization: 'shards' as const, shardSize: 8 }],
] as const;

let work: string;
let standIn: StandIn;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mprov-oms-sign-'));
  standIn = await startStandIn();
});
afterAll(async () => {
  await standIn.close();
  await rm(work, { recursive: true, force: true });
});

const key = async () =>
  createPrivateKey(await readFile(join(KEYS, 'signing-key.pem')));

describe('#signModel', () => {
  describe.each(Object.entries(MODELS))('on %s', (golden, model) => {
    it.each(SERIALIZATIONS)(
      'signs the golden statement (serialization%s)',
      async (suffix, opts) => {
        const expected = JSON.parse(
          await readFile(join(GOLDEN, golden + suffix), 'utf8'),
        ) as unknown;
        const { statement } = await signModel(
          join(MS, 'fixture-models', model),
          { kind: 'key', privateKey: await key() },
          {
            ...opts,
            allowSymlinks: true,
            ignore: ['.keep-note-not-part-of-model'],
            allowEmpty: true,
          },
        );
        expect(canonical(statement)).toBe(canonical(expected));
      },
    );
  });

  describe('when signed with each method', () => {
    it('verifies with the matching method', async () => {
      const model = join(work, 'model');
      await rm(model, { recursive: true, force: true });
      await mkdir(model, { recursive: true });
      await writeFile(join(model, 'weights.bin'), 'w');
      await writeFile(join(model, 'config.json'), '{}');
      const privateKey = await key();
      const leaf = new X509Certificate(
        await readFile(join(KEYS, 'signing-key-cert.pem')),
      );
      const intermediate = new X509Certificate(
        await readFile(join(KEYS, 'int-ca-cert.pem')),
      );
      const root = new X509Certificate(
        await readFile(join(KEYS, 'ca-cert.pem')),
      );
      const sigstore = keylessSigner({
        fulcioURL: standIn.fulcioURL,
        rekorURL: standIn.rekorURL,
        tsaServerURL: standIn.tsaURL,
        identityToken: await standIn.mintToken('ml-team@example.com'),
      });
      const runs: [OmsSigningMethod, OmsMethod][] = [
        [
          { kind: 'key', privateKey },
          { kind: 'key', publicKey: createPublicKey(privateKey) },
        ],
        [
          { kind: 'certificate', privateKey, chain: [leaf, intermediate] },
          { kind: 'certificate', chain: [intermediate, root] },
        ],
        [
          { kind: 'sigstore', signer: sigstore },
          {
            kind: 'sigstore',
            trustedRoot: loadTrustedRoot(standIn.trustedRoot),
            identity: {
              issuer: standIn.issuer,
              identity: 'ml-team@example.com',
            },
          },
        ],
      ];
      for (const [signWith, verifyWith] of runs) {
        const sig = join(model, 'model.sig');
        const { bundle } = await signModel(model, signWith, {
          signaturePath: sig,
        });
        await writeFile(sig, JSON.stringify(bundle));
        const result = await verifyModelSignature(model, sig, verifyWith);
        expect(result.predicate.resources.map((r) => r.name)).toEqual([
          'config.json',
          'weights.bin',
        ]);
      }
    });

    it('signs with P-256 and Ed25519 keys too', async () => {
      const model = join(MS, 'fixture-models/sample_model_file/file_model');
      for (const type of ['P-256', 'ed25519'] as const) {
        const pair =
          type === 'ed25519'
            ? generateKeyPairSync('ed25519')
            : generateKeyPairSync('ec', { namedCurve: type });
        const { bundle } = await signModel(model, {
          kind: 'key',
          privateKey: pair.privateKey,
        });
        const sig = join(work, `${type}.sig`);
        await writeFile(sig, JSON.stringify(bundle));
        const result = await verifyModelSignature(model, sig, {
          kind: 'key',
          publicKey: pair.publicKey,
        });
        expect(result.signer.kind).toBe('key');
      }
    });
  });
});
