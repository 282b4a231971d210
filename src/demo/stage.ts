/**
 * The machinery of the demo: its steps, its signers on the stand-in, and
 * its verifications, shared by the genuine release and the attacks.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { attestStep, type StepInput } from '../attest/attest-step.js';
import type { ChainResult } from '../chain/result.js';
import { verifyChain } from '../chain/verify-chain.js';
import type { Policy } from '../policy/policy.js';
import { keylessSigner } from '../signing/index.js';
import { STORE_DIR_NAME } from '../store/store.js';
import type { StandIn } from '../testing/index.js';
import { loadTrustedRoot } from '../verify/index.js';
import { IDENTITIES, type Role } from './policy.js';
import { attachAdapter } from './transforms/index.js';

/** Something the demo did, for the CLI to show. */
export type DemoEvent =
  | { type: 'stage'; title: string }
  | { type: 'step'; kind: string; identity: string; id: string }
  | { type: 'verified'; name: string; result: ChainResult };

export const CARD = {
  name: 'face-detector-int8-lora',
  version: '1.0.0',
  steps: ['export', 'quantize', 'adapter-attach', 'repackage'],
};
export const RELEASE = {
  format: 'safetensors-bundle',
  targetRuntime: 'onnxruntime',
  release: { name: CARD.name, version: CARD.version },
};

/** One demo step: who signs it, what it is, and the work it does. */
export interface DemoStep {
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
export class Demo {
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

/** Attaching an adapter, merged, with the parameters its config gives. */
export async function attachStep(
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
