import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TESTDATA } from '../testdata.js';
import { runCaptured as cli } from './capture.js';

const SIGNED = join(TESTDATA, 'model-signing/signed');
const KEYS = join(SIGNED, 'keys/certificate');
const SIGSTORE = [
  '--identity',
  'stefanb@us.ibm.com',
  '--issuer',
  'https://sigstore.verify.ibm.com/oauth2',
];

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mprov-verify-model-'));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

const sig = (dir: string) => ['--signature', join(SIGNED, dir, 'model.sig')];

describe('mprov verify-model', () => {
  it.each([
    [
      'elliptic key',
      join(SIGNED, 'v1.0.0-elliptic-key/signme-1'),
      [
        ...sig('v1.0.0-elliptic-key'),
        '--key',
        join(KEYS, 'signing-key-pub.pem'),
      ],
    ],
    [
      'certificate chain',
      join(SIGNED, 'v1.0.0-certificate'),
      [
        ...sig('v1.0.0-certificate'),
        '--certificate-chain',
        join(KEYS, 'int-ca-cert.pem'),
        join(KEYS, 'ca-cert.pem'),
      ],
    ],
    [
      'Sigstore, embedded public-good root',
      join(SIGNED, 'v1.0.0-sigstore'),
      [...sig('v1.0.0-sigstore'), ...SIGSTORE],
    ],
    [
      'Sigstore, given root',
      join(SIGNED, 'v0.3.1-sigstore'),
      [
        ...sig('v0.3.1-sigstore'),
        ...SIGSTORE,
        '--trusted-root',
        join(TESTDATA, 'public-good/trusted_root.json'),
      ],
    ],
  ])('exits 0 for a genuine signature (%s)', async (_name, model, args) => {
    const { code, stdout, stderr } = await cli('verify-model', model, ...args);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^verified: \d+ resources, root sha256:[0-9a-f]{64}$/m,
    );
  });

  it('exits 1 naming the changed file, with --json', async () => {
    const copy = join(work, 'v1.0.0-sigstore');
    await cp(join(SIGNED, 'v1.0.0-sigstore'), copy, { recursive: true });
    await writeFile(
      join(copy, 'signme-2'),
      (await readFile(join(copy, 'signme-2'))).reverse(),
    );
    const { code, stdout } = await cli(
      'verify-model',
      copy,
      '--signature',
      join(copy, 'model.sig'),
      ...SIGSTORE,
      '--json',
    );
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({
      verified: false,
      code: 'OMS_MODEL_MISMATCH',
      mismatch: { changed: ['signme-2'], extra: [], missing: [] },
    });
  });

  it.each([
    ['no method', [...sig('v1.0.0-sigstore')]],
    [
      'two methods',
      [
        ...sig('v1.0.0-sigstore'),
        ...SIGSTORE,
        '--key',
        join(KEYS, 'signing-key-pub.pem'),
      ],
    ],
    [
      'a key that is not a key',
      [
        ...sig('v1.0.0-elliptic-key'),
        '--key',
        join(SIGNED, 'v1.0.0-elliptic-key/signme-1'),
      ],
    ],
    ['no signature', ['--key', join(KEYS, 'signing-key-pub.pem')]],
  ])('exits 2 for %s', async (_name, args) => {
    const { code, stderr } = await cli(
      'verify-model',
      join(SIGNED, 'v1.0.0-elliptic-key/signme-1'),
      ...args,
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/^mprov: error USAGE_/);
  });
});
