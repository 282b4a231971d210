/**
 * mprov export-chain: what it prints, its exit codes, and that what it
 * writes verifies with the core.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyChainInMemory } from '../../src/core/index.js';
import { signChain, type SignedChain } from '../core/chain.js';
import { loadExport } from '../export/load.js';
import { runCaptured as cli } from './capture.js';

let chain: SignedChain;
let policy: string;
let root: string;

beforeAll(async () => {
  chain = await signChain();
  policy = join(chain.fx.dir, 'policy.json');
  await writeFile(policy, JSON.stringify(chain.inputs.policy));
  root = join(chain.fx.dir, 'trusted_root.json');
  await writeFile(root, JSON.stringify(chain.inputs.trustedRoot));
});
afterAll(async () => chain.fx.close());

const exportTo = (out: string, ...more: string[]) =>
  cli(
    'export-chain',
    chain.modelDir,
    '--out',
    join(chain.fx.dir, out),
    '--policy',
    policy,
    '--trusted-root',
    root,
    ...more,
  );

describe('mprov export-chain', () => {
  it('writes the folder, says what is in it and exits 0', async () => {
    const { code, stdout, stderr } = await exportTo('site', '--name', 'acme');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      `exported acme to ${join(chain.fx.dir, 'site')}: ` +
        `2 files, 3 bundles, 0 manifests\n` +
        `  policy.json, provenance.json, trusted_root.json\n`,
    );
    const { options } = await loadExport(join(chain.fx.dir, 'site'));
    expect(options.modelName).toBe('acme');
    expect((await verifyChainInMemory(options)).verified).toBe(true);
  });

  it('exits 2 for a folder that holds files, and replaces it with --force', async () => {
    await exportTo('twice');
    const again = await exportTo('twice');
    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(
      /^mprov: error EXPORT_OUTPUT_NOT_EMPTY: [^\n]+\n$/,
    );
    const forced = await exportTo('twice', '--force');
    expect(forced.code).toBe(0);
  });

  it('exits 2 without --out, writing nothing', async () => {
    const before = await readdir(chain.fx.dir);
    const { code, stderr } = await cli('export-chain', chain.modelDir);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^mprov: error USAGE_INVALID: --out DIR is required/,
    );
    expect(await readdir(chain.fx.dir)).toEqual(before);
  });

  it('exits 2 with the policy error for an invalid policy', async () => {
    const bad = join(chain.fx.dir, 'bad.yaml');
    await writeFile(bad, 'version: 1\nsteps: {}\n');
    const { code, stderr } = await exportTo('never', '--policy', bad);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^mprov: error POLICY_INVALID: /);
    expect(await readdir(chain.fx.dir)).not.toContain('never');
  });
});
