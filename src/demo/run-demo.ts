import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { stringify as toYaml } from 'yaml';

import type { ChainResult } from '../chain/result.js';
import { digestModel } from '../digest/index.js';
import { namedEntries } from '../digest/named.js';
import { UsageError } from '../errors.js';
import { parsePolicy } from '../policy/policy.js';
import { startStandIn } from '../testing/index.js';
import { rogueAdapterAttack, tamperWeights } from './attacks.js';
import { demoPolicy } from './policy.js';
import {
  CARD,
  Demo,
  RELEASE,
  attachStep,
  omsSignatureOf,
  type DemoEvent,
} from './stage.js';
import {
  exportTfjs,
  faceApiModelDir,
  makeAdapter,
  quantizeInt8,
  repackage,
} from './transforms/index.js';

export type { DemoEvent } from './stage.js';

/** Marks a folder as the demo's own, so that a rerun may empty it. */
const MARKER = '.mprov-demo';

/** The upstream model the demo packages: TF.js weights from an npm package. */
export const DEMO_MODEL = 'tiny_face_detector_model';

/** What the demo leaves in its output folder, and what it found. */
export interface DemoOutcome {
  modelDir: string;
  policyPath: string;
  trustedRootPath: string;
  genuine: ChainResult;
  tamperedWeights: ChainResult;
  rogueAdapter: ChainResult;
}

/**
 * Runs the end-to-end demo: four real packaging steps on a real model, each
 * signed keyless by its own identity on a local Sigstore stand-in, then the
 * chain verified, then two attacks verified and (expectedly) refused.
 *
 * @param outDir - emptied, then filled with `model/`, `policy.yaml`,
 *   `trusted_root.json`, `work/` (each step's output) and `attacks/`.
 */
export async function runDemo(
  outDir: string,
  onEvent: (event: DemoEvent) => void = () => undefined,
): Promise<DemoOutcome> {
  const standIn = await startStandIn();
  try {
    await claimOutDir(outDir);
    const demo = new Demo(standIn, outDir, onEvent);
    await mkdir(demo.work, { recursive: true });
    const roots = await packageModel(demo);
    const files = await writePolicy(demo, roots);
    const genuine = await demo.verify(
      'the released model',
      demo.modelDir,
      files.policy,
    );
    const tamperedWeights = await tamperWeights(demo, files.policy);
    const rogueAdapter = await rogueAdapterAttack(demo, files.policy);
    return {
      modelDir: demo.modelDir,
      policyPath: files.policyPath,
      trustedRootPath: files.trustedRootPath,
      genuine,
      tamperedWeights,
      rogueAdapter,
    };
  } finally {
    await standIn.close();
  }
}

/**
 * Empties `outDir` for the demo, only if it is missing, empty, or an
 * earlier demo's output: the demo never deletes a folder of the user's.
 */
async function claimOutDir(outDir: string): Promise<void> {
  const names = await readdir(outDir).catch(() => [] as string[]);
  if (names.length > 0 && !names.includes(MARKER)) {
    throw new UsageError(
      'USAGE_INVALID',
      `${outDir} is not empty and not an earlier demo output: pick another --out`,
    );
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, MARKER), 'written by mprov demo\n');
}

/** The four steps; returns the paths that the policy trusts as roots. */
async function packageModel(demo: Demo): Promise<string[]> {
  demo.onEvent({ type: 'stage', title: 'four packaging steps, each signed' });
  const source = faceApiModelDir();
  const sources = [
    join(source, `${DEMO_MODEL}-weights_manifest.json`),
    join(source, `${DEMO_MODEL}.bin`),
  ];
  const [exported, quantized, adapter, attached] = [
    'exported',
    'quantized',
    'adapter',
    'attached',
  ].map((name) => join(demo.work, name)) as [string, string, string, string];

  await demo.step({
    role: 'export',
    kind: 'export',
    output: exported,
    inputs: sources.map((path) => ({ path, role: 'source' })),
    parameters: { sourceFormat: 'tfjs-layers', targetFormat: 'safetensors' },
    run: () => exportTfjs(source, DEMO_MODEL, exported),
  });
  await demo.step({
    role: 'quantize',
    kind: 'quantize',
    output: quantized,
    inputs: [{ path: exported }],
    parameters: { scheme: 'int8-symmetric-per-tensor', bits: 8 },
    run: () => quantizeInt8(exported, quantized),
  });
  // The fine-tuning team's adapter is released on its own and pinned by
  // digest in the policy; attaching it to the base is the attested step.
  await makeAdapter(quantized, adapter, { seed: 7 });
  await demo.step(await attachStep('finetune', quantized, adapter, attached));
  await demo.step({
    role: 'release',
    kind: 'repackage',
    output: demo.modelDir,
    inputs: [{ path: attached }],
    parameters: RELEASE,
    run: () => repackage(attached, demo.modelDir, CARD),
    omsSignature: omsSignatureOf(demo.modelDir),
  });
  return [...sources, adapter];
}

/** Writes the policy and the trusted root beside the model. */
async function writePolicy(demo: Demo, rootPaths: string[]) {
  const roots = await Promise.all(
    rootPaths.map(async (p) => namedEntries(p, await digestModel(p))),
  );
  const release = { name: CARD.name, version: CARD.version };
  const document = toYaml(
    demoPolicy(demo.standIn.issuer, roots.flat(), release),
  );
  const policyPath = join(demo.outDir, 'policy.yaml');
  const trustedRootPath = join(demo.outDir, 'trusted_root.json');
  await writeFile(policyPath, document);
  await writeFile(
    trustedRootPath,
    JSON.stringify(demo.standIn.trustedRoot, null, 2) + '\n',
  );
  return { policy: parsePolicy(document), policyPath, trustedRootPath };
}
