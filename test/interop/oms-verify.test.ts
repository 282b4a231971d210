import { X509Certificate, createPublicKey } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { InteropError } from '../../src/errors.js';
import {
  verifyModelSignature,
  type OmsMethod,
} from '../../src/interop/index.js';
import { loadTrustedRoot } from '../../src/verify/index.js';
import { TESTDATA } from '../testdata.js';

const SIGNED = join(TESTDATA, 'model-signing/signed');
const KEYS = join(SIGNED, 'keys/certificate');

let work: string;
let key: OmsMethod;
let chain: OmsMethod;
let sigstore: OmsMethod;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mprov-oms-'));
  const pem = (f: string) => readFile(join(KEYS, f));
  key = {
    kind: 'key',
    publicKey: createPublicKey(await pem('signing-key-pub.pem')),
  };
  chain = {
    kind: 'certificate',
    chain: [
      new X509Certificate(await pem('int-ca-cert.pem')),
      new X509Certificate(await pem('ca-cert.pem')),
    ],
  };
  const root = JSON.parse(
    await readFile(join(TESTDATA, 'public-good/trusted_root.json'), 'utf8'),
  ) as unknown;
  sigstore = {
    kind: 'sigstore',
    trustedRoot: loadTrustedRoot(root),
    identity: {
      issuer: 'https://sigstore.verify.ibm.com/oauth2',
      identity: 'stefanb@us.ibm.com',
    },
  };
});
afterAll(async () => rm(work, { recursive: true, force: true }));

/** Each signed sample: its folder, the model path inside it, its method. */
const CASES: [string, string, () => OmsMethod][] = [
  ['v1.0.0-elliptic-key', 'signme-1', () => key],
  ['v0.3.1-elliptic-key', 'signme-1', () => key],
  ['v1.0.0-certificate', '.', () => chain],
  ['v1.0.0-sigstore', '.', () => sigstore],
  ['v0.3.1-sigstore', '.', () => sigstore],
];

async function copyOf(dir: string): Promise<string> {
  const to = join(work, `${dir}-${Math.random().toString(36).slice(2)}`, dir);
  await cp(join(SIGNED, dir), to, { recursive: true });
  return to;
}

async function mismatchOf(model: string, sig: string, method: OmsMethod) {
  const error = await verifyModelSignature(model, sig, method).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InteropError);
  expect((error as InteropError).code).toBe('OMS_MODEL_MISMATCH');
  return (error as InteropError & { mismatch: Record<string, string[]> })
    .mismatch;
}

describe('#verifyModelSignature', () => {
  describe.each(CASES)('on %s', (dir, model, method) => {
    it('verifies the files it was made for', async () => {
      const result = await verifyModelSignature(
        join(SIGNED, dir, model),
        join(SIGNED, dir, 'model.sig'),
        method(),
      );
      expect(result.signer.kind).toBe(method().kind);
      expect(result.rootDigest).toMatch(/^[0-9a-f]{64}$/);
    });

    it('fails naming the file after one byte of it changes', async () => {
      const copy = await copyOf(dir);
      const file = join(copy, 'signme-1');
      const bytes = await readFile(file);
      bytes[0] = bytes[0] ^ 1;
      await writeFile(file, bytes);
      const mismatch = await mismatchOf(
        join(copy, model),
        join(copy, 'model.sig'),
        method(),
      );
      expect(mismatch.changed).toEqual([model === '.' ? 'signme-1' : '.']);
    });
  });

  describe.each(CASES.filter(([, model]) => model === '.'))(
    'on the folder of %s',
    (dir, _m, method) => {
      it('fails naming a file that was added, and one that was removed', async () => {
        const copy = await copyOf(dir);
        await writeFile(join(copy, 'loader.py'), 'import os');
        await rm(join(copy, 'signme-2'));
        const mismatch = await mismatchOf(
          copy,
          join(copy, 'model.sig'),
          method(),
        );
        expect(mismatch).toEqual({
          extra: ['loader.py'],
          missing: ['signme-2'],
          changed: [],
        });
      });
    },
  );

  describe('when the method does not fit the signature', () => {
    it('throws OMS_SIGNATURE_INVALID for another key', async () => {
      const { publicKey } = await import('node:crypto').then((c) =>
        c.generateKeyPairSync('ec', { namedCurve: 'P-384' }),
      );
      const dir = join(SIGNED, 'v1.0.0-elliptic-key');
      await expect(
        verifyModelSignature(join(dir, 'signme-1'), join(dir, 'model.sig'), {
          kind: 'key',
          publicKey,
        }),
      ).rejects.toMatchObject({ code: 'OMS_SIGNATURE_INVALID' });
    });

    it('throws OMS_CHAIN_INVALID for a chain without the issuing intermediate', async () => {
      const dir = join(SIGNED, 'v1.0.0-certificate');
      const rootOnly: OmsMethod = {
        kind: 'certificate',
        chain: [new X509Certificate(await readFile(join(KEYS, 'ca-cert.pem')))],
      };
      await expect(
        verifyModelSignature(dir, join(dir, 'model.sig'), rootOnly),
      ).rejects.toMatchObject({
        code: 'OMS_CHAIN_INVALID',
      });
    });

    it('throws OMS_IDENTITY_MISMATCH for another signer identity', async () => {
      const dir = join(SIGNED, 'v1.0.0-sigstore');
      const other = {
        ...sigstore,
        identity: {
          issuer: 'https://sigstore.verify.ibm.com/oauth2',
          identity: 'someone@example.com',
        },
      } as OmsMethod;
      await expect(
        verifyModelSignature(dir, join(dir, 'model.sig'), other),
      ).rejects.toMatchObject({
        code: 'OMS_IDENTITY_MISMATCH',
      });
    });
  });
});
