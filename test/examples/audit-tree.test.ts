import { createHash } from 'node:crypto';
import {
  appendFile,
  cp,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadTrustedRoot, validatePolicy, type Policy } from 'model-provenance';
import { startStandIn, type StandIn } from 'model-provenance/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';

import {
  auditTree,
  findModels,
  main,
  type AuditSummary,
} from '../../examples/audit-tree.js';
import { runPipeline, writeSampleUpstream } from '../../examples/pipeline.js';

const WHO = 'pipeline@example.com';

let standIn: StandIn;
let dir: string;
let tree: string;
let policy: Policy;

/** A release signed by the pipeline, copied to three places in a tree. */
beforeAll(async () => {
  standIn = await startStandIn();
  dir = await mkdtemp(join(tmpdir(), 'mprov-example-audit-'));
  const work = join(dir, 'work');
  await writeSampleUpstream(work);
  await runPipeline({
    workDir: work,
    fulcioURL: standIn.fulcioURL,
    rekorURL: standIn.rekorURL,
    identityToken: () => standIn.mintToken(WHO),
    builderId: 'https://ci.example.com/pipeline',
  });
  tree = join(dir, 'tree');
  const release = join(work, 'release');
  await cp(release, join(tree, 'team-a', 'detector'), { recursive: true });
  await cp(release, join(tree, 'team-b', 'v2', 'detector'), {
    recursive: true,
  });
  await appendFile(join(tree, 'team-b', 'v2', 'detector', 'weights.i8'), '!');
  await mkdir(join(tree, 'team-c', 'notes'), { recursive: true });
  await writeFile(join(tree, 'team-c', 'notes', 'README.md'), 'no model');
  policy = await policyOf(work);
});
afterAll(async () => {
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
});

async function policyOf(work: string): Promise<Policy> {
  const roots = [];
  for (const name of ['weights.json', 'config.json']) {
    const bytes = await readFile(join(work, 'upstream', name));
    roots.push({
      name,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  const signers = [{ issuer: standIn.issuer, identity: WHO }];
  return validatePolicy({
    version: 1,
    steps: {
      export: { signers, after: [] },
      quantize: { signers, after: ['export'] },
      repackage: { signers, after: ['quantize'], required: true },
    },
    roots,
  });
}

describe('examples/audit-tree', () => {
  it('finds the model folders and nothing else', async () => {
    const found = await findModels(tree);
    expect(found.map((p) => p.slice(tree.length + 1))).toEqual([
      'team-a/detector',
      'team-b/v2/detector',
    ]);
  });

  it('verifies each model and writes a JSON summary', async () => {
    const out = join(dir, 'summary.json');
    const summary = await auditTree({
      tree,
      policy,
      trustedRoot: loadTrustedRoot(standIn.trustedRoot),
      out,
    });
    expect(summary.totals).toEqual({ models: 2, verified: 1, failed: 1 });
    const [good, bad] = summary.models;
    expect(good).toMatchObject({ path: 'team-a/detector', verified: true });
    expect(good?.steps.map((s) => s.signer)).toEqual([WHO, WHO, WHO]);
    expect(bad).toMatchObject({ path: 'team-b/v2/detector', verified: false });
    expect(bad?.findings.map((f) => f.code)).toContain('FILE_MODIFIED');

    const written = JSON.parse(await readFile(out, 'utf8')) as AuditSummary;
    expect(written.totals).toEqual(summary.totals);
  });

  it('exits 1 from the command line when one model fails, 2 on bad usage', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const policyPath = join(dir, 'policy.yaml');
    const rootPath = join(dir, 'trusted_root.json');
    await writeFile(policyPath, stringify(policy));
    await writeFile(rootPath, JSON.stringify(standIn.trustedRoot));
    try {
      const args = ['--policy', policyPath, '--trusted-root', rootPath];
      expect(await main([tree, ...args])).toBe(1);
      expect(await main([join(tree, 'team-a'), ...args])).toBe(0);
      expect(await main([tree])).toBe(2);
      expect(log).toHaveBeenCalledWith('2 model(s): 1 verified, 1 failed');
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });
});
