import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { loadModelWithCredential } from '../../examples/model-loader.js';
import {
  WHO,
  chainFixture,
  digestOf,
  type ChainFixture,
} from '../chain/fixture.js';

let fx: ChainFixture;
let policyPath: string;
let rootPath: string;

beforeAll(async () => {
  fx = await chainFixture();
  await fx.write({ 'up/w.bin': 'float weights' });
  await fx.attest(WHO.exporter, 'export', [{ path: 'up' }], 'm', {
    'model.safetensors': 'exported weights',
  });
  const policy = fx.policy([await digestOf(fx, 'up/w.bin')]);
  delete policy.steps.quantize;
  delete policy.steps.repackage;
  policyPath = join(fx.dir, 'policy.yaml');
  rootPath = join(fx.dir, 'trusted_root.json');
  await writeFile(policyPath, stringify(policy));
  await writeFile(rootPath, JSON.stringify(fx.standIn.trustedRoot));
});
afterAll(async () => fx.close());

describe('examples/model-loader', () => {
  it('releases a credential bound to the verified bundle', async () => {
    const issued: string[] = [];
    const loaded = await loadModelWithCredential(
      join(fx.dir, 'm'),
      policyPath,
      rootPath,
      (digest) => {
        issued.push(digest);
        return Promise.resolve('secret');
      },
    );
    expect(loaded.credential).toBe('secret');
    expect(loaded.files).toEqual(['model.safetensors']);
    expect(issued).toEqual([loaded.rootDigest]);
  });

  it('refuses a tampered model and never asks for a credential', async () => {
    await appendFile(join(fx.dir, 'm', 'model.safetensors'), '!');
    let asked = false;
    const refusal = loadModelWithCredential(
      join(fx.dir, 'm'),
      policyPath,
      rootPath,
      () => {
        asked = true;
        return Promise.resolve('secret');
      },
    );
    await expect(refusal).rejects.toMatchObject({
      code: 'CHAIN_NOT_VERIFIED',
      findings: expect.arrayContaining([
        expect.objectContaining({ code: 'FILE_MODIFIED' }),
      ]) as unknown,
    });
    expect(asked).toBe(false);
  });
});
