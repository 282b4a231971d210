import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Policy } from '../policy/policy.js';
import { CARD, Demo, RELEASE, attachStep, omsSignatureOf } from './stage.js';
import { makeAdapter, repackage } from './transforms/index.js';

/** Attack 1: one byte of the released weights changed after release. */
export async function tamperWeights(demo: Demo, policy: Policy) {
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
export async function rogueAdapterAttack(demo: Demo, policy: Policy) {
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
