import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startStandIn, type StandIn } from '../../src/testing/index.js';
import { TESTDATA } from '../testdata.js';
import { runCaptured as cli } from './capture.js';

const MS = join(TESTDATA, 'model-signing');
const KEYS = join(MS, 'signed/keys/certificate');

let work: string;
let standIn: StandIn;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mprov-sign-model-'));
  standIn = await startStandIn();
  await cp(
    join(MS, 'fixture-models/sample_model_folder/sample_model'),
    join(work, 'model'),
    {
      recursive: true,
    },
  );
});
afterAll(async () => {
  await standIn.close();
  await rm(work, { recursive: true, force: true });
});

describe('mprov sign-model then verify-model', () => {
  const model = () => join(work, 'model');
  const sig = () => join(work, 'model', 'model.sig');

  it('round-trips with a key, writing the signature inside the model', async () => {
    const signed = await cli(
      'sign-model',
      model(),
      '--output',
      sig(),
      '--key',
      join(KEYS, 'signing-key.pem'),
      '--serialization',
      'shards',
      '--shard-size',
      '8',
    );
    expect(signed.stderr).toBe('');
    expect(signed.code).toBe(0);
    const verified = await cli(
      'verify-model',
      model(),
      '--signature',
      sig(),
      '--key',
      join(KEYS, 'signing-key-pub.pem'),
    );
    expect(verified.code).toBe(0);
  });

  it('round-trips with a certificate chain', async () => {
    const signed = await cli(
      'sign-model',
      model(),
      '--output',
      sig(),
      '--key',
      join(KEYS, 'signing-key.pem'),
      '--certificate',
      join(KEYS, 'signing-key-cert.pem'),
      '--certificate-chain',
      join(KEYS, 'int-ca-cert.pem'),
    );
    expect(signed.code).toBe(0);
    const verified = await cli(
      'verify-model',
      model(),
      '--signature',
      sig(),
      '--certificate-chain',
      join(KEYS, 'int-ca-cert.pem'),
      join(KEYS, 'ca-cert.pem'),
    );
    expect(verified.code).toBe(0);
  });

  it('round-trips keyless through the stand-in, and catches a changed file', async () => {
    const token = join(work, 'token');
    await writeFile(token, await standIn.mintToken('ml-team@example.com'));
    const root = join(work, 'trusted_root.json');
    await writeFile(root, JSON.stringify(standIn.trustedRoot));
    const signed = await cli(
      'sign-model',
      model(),
      '--output',
      sig(),
      '--fulcio-url',
      standIn.fulcioURL,
      '--rekor-url',
      standIn.rekorURL,
      '--tsa-url',
      standIn.tsaURL,
      '--identity-token-file',
      token,
    );
    expect(signed.code).toBe(0);
    const args = [
      'verify-model',
      model(),
      '--signature',
      sig(),
      '--identity',
      'ml-team@example.com',
      '--issuer',
      standIn.issuer,
      '--trusted-root',
      root,
    ];
    expect((await cli(...args)).code).toBe(0);
    await writeFile(
      join(model(), 'f0'),
      (await readFile(join(model(), 'f0'))).reverse(),
    );
    const failed = await cli(...args);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('changed: f0');
  });

  it('exits 2 with USAGE_OUTPUT_UNWRITABLE when --output cannot be written', async () => {
    const output = join(work, 'no-such-folder', 'model.sig');
    const { code, stderr } = await cli(
      'sign-model',
      model(),
      '--output',
      output,
      '--key',
      join(KEYS, 'signing-key.pem'),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/^mprov: error USAGE_OUTPUT_UNWRITABLE: /);
    expect(stderr).toContain(output);
  });

  it('exits 2 for a certificate without its key', async () => {
    const { code, stderr } = await cli(
      'sign-model',
      model(),
      '--certificate',
      join(KEYS, 'signing-key-cert.pem'),
    );
    expect(code).toBe(2);
    expect(stderr).toContain('--certificate needs --key');
  });
});
