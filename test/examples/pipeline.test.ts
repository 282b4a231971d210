import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadTrustedRoot, validatePolicy, verifyChain } from 'model-provenance';
import { startStandIn, type StandIn } from 'model-provenance/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import {
  main,
  runPipeline,
  writeSampleUpstream,
} from '../../examples/pipeline.js';

const PIPELINE = 'pipeline@example.com';

let standIn: StandIn;
let dir: string;

beforeAll(async () => {
  // The example's command line prints what it attested; keep the run quiet.
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
  standIn = await startStandIn();
  dir = await mkdtemp(join(tmpdir(), 'mprov-example-pipeline-'));
});
afterAll(async () => {
  vi.restoreAllMocks();
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
});

/** Who may sign each step, and the upstream files as roots. */
async function policyFor(workDir: string) {
  const roots = [];
  for (const name of ['weights.json', 'config.json']) {
    const bytes = await readFile(join(workDir, 'upstream', name));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    roots.push({ name, sha256 });
  }
  const rule = (after: string[]) => ({
    required: true,
    after,
    signers: [{ issuer: standIn.issuer, identity: PIPELINE }],
  });
  return validatePolicy({
    version: 1,
    steps: {
      export: rule([]),
      quantize: rule(['export']),
      repackage: rule(['quantize']),
    },
    final: ['repackage'],
    roots,
  });
}

describe('examples/pipeline', () => {
  it('attests three steps whose chain verifies from the release folder', async () => {
    const workDir = join(dir, 'run');
    await writeSampleUpstream(workDir);
    const steps = await runPipeline({
      workDir,
      fulcioURL: standIn.fulcioURL,
      rekorURL: standIn.rekorURL,
      tsaURL: standIn.tsaURL,
      identityToken: () => standIn.mintToken(PIPELINE),
      builderId: 'https://ci.example.com/pipeline',
    });
    expect(steps.map((s) => s.kind)).toEqual([
      'export',
      'quantize',
      'repackage',
    ]);

    const result = await verifyChain({
      modelPath: join(workDir, 'release'),
      policy: await policyFor(workDir),
      trustedRoot: loadTrustedRoot(standIn.trustedRoot),
    });
    expect(result.findings).toEqual([]);
    expect(result.verified).toBe(true);
    expect(result.steps.map((s) => s.kind).sort()).toEqual([
      'export',
      'quantize',
      'repackage',
    ]);
  });

  it('runs from the environment, writing a sample upstream', async () => {
    const workDir = join(dir, 'from-env');
    const code = await main([workDir], {
      MPROV_FULCIO_URL: standIn.fulcioURL,
      MPROV_REKOR_URL: standIn.rekorURL,
      SIGSTORE_ID_TOKEN: await standIn.mintToken(PIPELINE),
    });
    expect(code).toBe(0);
    const result = await verifyChain({
      modelPath: join(workDir, 'release'),
      policy: await policyFor(workDir),
      trustedRoot: loadTrustedRoot(standIn.trustedRoot),
    });
    expect(result.verified).toBe(true);
  });

  it('has no default Sigstore: without URLs and token it stops with 2', async () => {
    const code = await main([join(dir, 'none')], {});
    expect(code).toBe(2);
  });
});
