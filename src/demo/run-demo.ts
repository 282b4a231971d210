import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { stringify as toYaml } from 'yaml';

import { attestStep, type StepInput } from '../attest/attest-step.js';
import type { ChainResult } from '../chain/result.js';
import { verifyChain } from '../chain/verify-chain.js';
import { digestModel } from '../digest/index.js';
import { UsageError } from '../errors.js';
import { namedEntries } from '../digest/named.js';
import { parsePolicy, type Policy } from '../policy/policy.js';
import { STORE_DIR_NAME } from '../store/store.js';
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
  | { type: 'stage'; title: string }
  | { type: 'step'; kind: string; identity: string; id: string }
  | { type: 'verified'; name: string; result: ChainResult };

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

const CARD = {
  name: 'face-detector-int8-lora',
  version: '1.0.0',
  steps: ['export', 'quantize', 'adapter-attach', 'repackage'],
};
const RELEASE = {
  format: 'safetensors-bundle',
  targetRuntime: 'onnxruntime',
  release: { name: CARD.name, version: CARD.version },
};

/** One demo step: who signs it, what it is, and the work it does. */
interface DemoStep {
  role: Role;
  kind: string;
  inputs: StepInput[];
  output: string;
  parameters: Record<string, unknown>;
  run: () => Promise<unknown>;
  /** Also write an OpenSSF Model Signing model.sig here. */
  omsSignature?: string;
}

/**
 * Where the release step puts its OpenSSF Model Signing signature: in the
 * store, which hashing ignores, so that both name the same files.
 */
export function omsSignatureOf(modelDir: string): string {
  return join(modelDir, STORE_DIR_NAME, 'model.sig');
}

/** The demo's running state: the stand-in, its folders and its reporter. */
class Demo {
  readonly work: string;
  readonly modelDir: string;

  constructor(
    readonly standIn: StandIn,
    readonly outDir: string,
    readonly onEvent: (event: DemoEvent) => void,
  ) {
    this.work = join(outDir, 'work');
    this.modelDir = join(outDir, 'model');
  }

  /** Runs a step's transformation, then attests it as its role. */
  async step(step: DemoStep): Promise<void> {
    const startedOn = new Date();
    await step.run();
    const finishedOn = new Date();
    const identity = IDENTITIES[step.role];
    const signer = keylessSigner({
      fulcioURL: this.standIn.fulcioURL,
      rekorURL: this.standIn.rekorURL,
      tsaServerURL: this.standIn.tsaURL,
      identityToken: await this.standIn.mintToken(identity),
    });
    const attested = await attestStep({
      ...step,
      builderId: `https://pipelines.example.com/${step.role}`,
      signer,
      startedOn,
      finishedOn,
    });
    this.onEvent({ type: 'step', kind: step.kind, identity, id: attested.id });
  }

  async verify(name: string, path: string, policy: Policy) {
    const trustedRoot = loadTrustedRoot(this.standIn.trustedRoot);
    const omsSignature = omsSignatureOf(path);
    const result = await verifyChain({
      modelPath: path,
      policy,
      trustedRoot,
      omsSignature,
    });
    this.onEvent({ type: 'verified', name, result });
    return result;
  }
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

/** Attaching an adapter, merged, with the parameters its config gives. */
async function attachStep(
  role: Role,
  base: string,
  adapter: string,
  output: string,
): Promise<DemoStep> {
  const configPath = join(adapter, 'adapter_config.json');
  const config = JSON.parse(await readFile(configPath, 'utf8')) as {
    rank: number;
    target: string;
  };
  return {
    role,
    kind: 'adapter-attach',
    output,
    inputs: [
      { path: base, role: 'base' },
      { path: adapter, role: 'adapter' },
    ],
    parameters: {
      adapterName: 'demo-lora',
      rank: config.rank,
      targetModules: [config.target],
      mode: 'merged',
    },
    run: () => attachAdapter(base, adapter, output, 'merged'),
  };
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

/** Attack 1: one byte of the released weights changed after release. */
async function tamperWeights(demo: Demo, policy: Policy) {
  demo.onEvent({ type: 'stage', title: 'attack 1: one byte changed' });
  const dir = join(demo.outDir, 'attacks', 'tampered-weights');
  await cp(demo.modelDir, dir, { recursive: true });
  const weights = join(dir, 'model.safetensors');
  const bytes = await readFile(weights);
  const last = bytes.length - 1;
  bytes[last] = (bytes[last] ?? 0) ^ 0x01;
  await writeFile(weights, bytes);
  return demo.verify('one byte of the weights changed', dir, policy);
}

/**
 * Attack 2: another adapter, attached by an identity the policy does not
 * allow for adapter-attach, then released by the genuine release pipeline.
 */
async function rogueAdapterAttack(demo: Demo, policy: Policy) {
  demo.onEvent({
    type: 'stage',
    title: 'attack 2: another adapter, attached by mallory, then released',
  });
  const base = join(demo.work, 'quantized');
  const adapter = join(demo.work, 'rogue-adapter');
  const attached = join(demo.work, 'rogue-attached');
  const dir = join(demo.outDir, 'attacks', 'rogue-adapter');
  await makeAdapter(base, adapter, { seed: 666 });
  await demo.step(await attachStep('intruder', base, adapter, attached));
  await demo.step({
    role: 'release',
    kind: 'repackage',
    output: dir,
    inputs: [{ path: attached }],
    parameters: RELEASE,
    run: () => repackage(attached, dir, CARD),
    omsSignature: omsSignatureOf(dir),
  });
  return demo.verify('the adapter replaced', dir, policy);
}
