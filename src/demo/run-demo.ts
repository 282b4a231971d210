import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { stringify as toYaml } from 'yaml';

import { attestStep, type StepInput } from '../attest/attest-step.js';
import { verifyChain } from '../chain/verify-chain.js';
import type { ChainResult } from '../chain/result.js';
import { digestModel } from '../digest/index.js';
import { namedEntries } from '../digest/named.js';
import { parsePolicy, type Policy } from '../policy/policy.js';
import { keylessSigner } from '../signing/index.js';
import { startStandIn, type StandIn } from '../testing/index.js';
import { loadTrustedRoot } from '../verify/index.js';
import { IDENTITIES, demoPolicy, type Role } from './policy.js';
import {
  attachAdapter,
  exportTfjs,
  faceApiModelDir,
  makeAdapter,
  quantizeInt8,
  repackage,
} from './transforms/index.js';

/** Something the demo did, for the CLI to show. */
export type DemoEvent =
  | { type: 'step'; kind: string; identity: string; id: string }
  | { type: 'verified'; name: string; result: ChainResult };

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
 */
export async function runDemo(
  outDir: string,
  onEvent: (event: DemoEvent) => void = () => undefined,
): Promise<DemoOutcome> {
  const standIn = await startStandIn();
  try {
    return await runWith(standIn, outDir, onEvent);
  } finally {
    await standIn.close();
  }
}

async function runWith(
  standIn: StandIn,
  outDir: string,
  onEvent: (event: DemoEvent) => void,
): Promise<DemoOutcome> {
  await rm(outDir, { recursive: true, force: true });
  const work = join(outDir, 'work');
  const modelDir = join(outDir, 'model');
  await mkdir(work, { recursive: true });

  const attest = async (
    role: Role,
    kind: string,
    inputs: StepInput[],
    output: string,
    parameters: Record<string, unknown>,
  ): Promise<void> => {
    const identity = IDENTITIES[role];
    const signer = keylessSigner({
      fulcioURL: standIn.fulcioURL,
      rekorURL: standIn.rekorURL,
      tsaServerURL: standIn.tsaURL,
      identityToken: await standIn.mintToken(identity),
    });
    const builderId = `https://pipelines.example.com/${role}`;
    const started = new Date();
    const attested = await attestStep({
      kind,
      inputs,
      output,
      parameters,
      builderId,
      signer,
      startedOn: started,
      finishedOn: new Date(),
    });
    onEvent({ type: 'step', kind, identity, id: attested.id });
  };

  const source = faceApiModelDir();
  const sourceFiles = [
    join(source, `${DEMO_MODEL}-weights_manifest.json`),
    join(source, `${DEMO_MODEL}.bin`),
  ];
  const dirs = {
    exported: join(work, 'exported'),
    quantized: join(work, 'quantized'),
    adapter: join(work, 'adapter'),
    attached: join(work, 'attached'),
  };

  // 1. export: TF.js manifest and shards to safetensors and config.json.
  await exportTfjs(source, DEMO_MODEL, dirs.exported);
  await attest(
    'export',
    'export',
    sourceFiles.map((path) => ({ path, role: 'source' })),
    dirs.exported,
    { sourceFormat: 'tfjs-layers', targetFormat: 'safetensors' },
  );

  // 2. quantize: float32 to int8, per-tensor scales.
  await quantizeInt8(dirs.exported, dirs.quantized);
  await attest(
    'quantize',
    'quantize',
    [{ path: dirs.exported }],
    dirs.quantized,
    { scheme: 'int8-symmetric-per-tensor', bits: 8 },
  );

  // 3. adapter-attach: the fine-tuning team's adapter, merged into the base.
  await makeAdapter(dirs.quantized, dirs.adapter, { seed: 7 });
  await attachAdapter(dirs.quantized, dirs.adapter, dirs.attached, 'merged');
  const adapterConfig = JSON.parse(
    await readFile(join(dirs.adapter, 'adapter_config.json'), 'utf8'),
  ) as Record<string, unknown>;
  await attest(
    'finetune',
    'adapter-attach',
    [
      { path: dirs.quantized, role: 'base' },
      { path: dirs.adapter, role: 'adapter' },
    ],
    dirs.attached,
    attachParameters(adapterConfig),
  );

  // 4. repackage: the final bundle, with a model card.
  const card = {
    name: 'face-detector-int8-lora',
    version: '1.0.0',
    steps: ['export', 'quantize', 'adapter-attach', 'repackage'],
  };
  await repackage(dirs.attached, modelDir, card);
  await attest('release', 'repackage', [{ path: dirs.attached }], modelDir, {
    format: 'safetensors-bundle',
    targetRuntime: 'onnxruntime-web',
  });

  // The policy: who signs what, and the originals trusted by digest.
  const rootPaths = [...sourceFiles, dirs.adapter];
  const roots = (
    await Promise.all(
      rootPaths.map(async (p) => namedEntries(p, await digestModel(p))),
    )
  ).flat();
  const policyDoc = demoPolicy(standIn.issuer, roots);
  const policy = parsePolicy(toYaml(policyDoc));
  const policyPath = join(outDir, 'policy.yaml');
  const trustedRootPath = join(outDir, 'trusted_root.json');
  await writeFile(policyPath, toYaml(policyDoc));
  await writeFile(
    trustedRootPath,
    JSON.stringify(standIn.trustedRoot, null, 2),
  );

  const verify = async (name: string, path: string): Promise<ChainResult> => {
    const trustedRoot = loadTrustedRoot(standIn.trustedRoot);
    const result = await verifyChain({ modelPath: path, policy, trustedRoot });
    onEvent({ type: 'verified', name, result });
    return result;
  };
  const genuine = await verify('the released model', modelDir);

  // Attack 1: one byte of the final weights changed after release.
  const tamperedDir = join(outDir, 'attacks', 'tampered-weights');
  await cp(modelDir, tamperedDir, { recursive: true });
  await flipOneByte(join(tamperedDir, 'model.safetensors'));
  const tamperedWeights = await verify(
    'one byte of the weights changed',
    tamperedDir,
  );

  // Attack 2: an adapter from someone the policy does not allow.
  const rogueDir = join(outDir, 'attacks', 'rogue-adapter');
  const rogue = {
    adapter: join(work, 'rogue-adapter'),
    attached: join(work, 'rogue-attached'),
  };
  await makeAdapter(dirs.quantized, rogue.adapter, { seed: 666 });
  await attachAdapter(dirs.quantized, rogue.adapter, rogue.attached, 'merged');
  await attest(
    'intruder',
    'adapter-attach',
    [
      { path: dirs.quantized, role: 'base' },
      { path: rogue.adapter, role: 'adapter' },
    ],
    rogue.attached,
    attachParameters(adapterConfig),
  );
  await repackage(rogue.attached, rogueDir, card);
  await attest('release', 'repackage', [{ path: rogue.attached }], rogueDir, {
    format: 'safetensors-bundle',
    targetRuntime: 'onnxruntime-web',
  });
  const rogueAdapter = await verify('the adapter replaced', rogueDir);

  return {
    modelDir,
    policyPath,
    trustedRootPath,
    genuine,
    tamperedWeights,
    rogueAdapter,
  };
}

function attachParameters(
  config: Record<string, unknown>,
): Record<string, unknown> {
  return {
    adapterName: 'demo-lora',
    rank: config.rank,
    targetModules: [config.target],
    mode: 'merged',
  };
}

async function flipOneByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  const at = bytes.length - 1;
  bytes[at] = bytes[at] ^ 0x01;
  await writeFile(path, bytes);
}

/** Re-exported for tests that check the demo's policy. */
export type { Policy };
