import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { attestStep } from '../../src/attest/attest-step.js';
import type { Policy } from '../../src/policy/policy.js';
import { WHO, digestOf, type ChainFixture } from './fixture.js';

/** Writes `up/w.bin`; returns a policy of one export step from it. */
export async function exportOnlyPolicy(fx: ChainFixture): Promise<Policy> {
  await fx.write({ 'up/w.bin': 'w0' });
  const policy = fx.policy([await digestOf(fx, 'up/w.bin')]);
  return { ...policy, steps: { export: policy.steps.export } };
}

/**
 * Writes `files` into the folder `name`, then attests it as an export of
 * `up` with a model.sig in its store folder (`attestStep`'s
 * `omsSignature`), signed by the exporter.
 */
export async function exportWithModelSig(
  fx: ChainFixture,
  name: string,
  files: Record<string, string>,
): Promise<{ out: string; sig: string }> {
  const out = join(fx.dir, name);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(join(out, rel, '..'), { recursive: true });
    await writeFile(join(out, rel), content);
  }
  const sig = join(out, '.mprov', 'model.sig');
  await attestStep({
    kind: 'export',
    inputs: [{ path: join(fx.dir, 'up') }],
    output: out,
    parameters: { sourceFormat: 'tfjs-layers', targetFormat: 'safetensors' },
    builderId: 'https://ci.example.com/test',
    signer: await fx.signer(WHO.exporter),
    omsSignature: sig,
  });
  return { out, sig };
}
