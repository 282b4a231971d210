/**
 * verifyModelChain, from the package's entry point: the verdict together
 * with the manifest it was reached on, whether or not it holds, so that a
 * registry can record what it saw without hashing the model again.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyModelChain } from '../../src/index.js';
import type { Policy } from '../../src/policy/policy.js';
import {
  RELEASED,
  ROOTS,
  errors,
  legitChain,
  startLab,
  type Lab,
} from '../adversarial/helpers.js';

let lab: Lab;
let policy: Policy;
beforeAll(async () => {
  lab = await startLab();
  policy = lab.policy(ROOTS);
});
afterAll(async () => lab.close());

const sha256 = (text: string) =>
  createHash('sha256').update(text).digest('hex');

async function chain(name: string): Promise<string> {
  await mkdir(lab.path(name), { recursive: true });
  await legitChain(lab, name);
  return lab.path(name);
}

describe('verifyModelChain', () => {
  it('returns the manifest the verdict was reached on', async () => {
    const modelPath = await chain('intact');
    const { result, manifest } = await verifyModelChain({
      modelPath,
      policy,
      trustedRoot: lab.root,
    });
    expect(result.verified).toBe(true);
    expect(manifest.rootDigest).toBe(result.model.rootDigest);
    expect(manifest.entries.map((e) => e.path)).toEqual(
      Object.keys(RELEASED).sort(),
    );
    const card = manifest.entries.find((e) => e.path === 'README.md');
    expect(card?.sha256).toBe(sha256(RELEASED['README.md'] ?? ''));
  });

  it('returns the digests on disk when the verdict fails', async () => {
    const modelPath = await chain('changed');
    await lab.write('changed', { 'README.md': '# card v2' });
    const { result, manifest } = await verifyModelChain({
      modelPath,
      policy,
      trustedRoot: lab.root,
    });
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('FILE_MODIFIED');
    const card = manifest.entries.find((e) => e.path === 'README.md');
    expect(card?.sha256).toBe(sha256('# card v2'));
    expect(manifest.rootDigest).toBe(result.model.rootDigest);
  });
});
