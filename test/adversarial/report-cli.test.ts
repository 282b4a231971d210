import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../../src/cli/run.js';
import { renderText } from '../../src/report/text.js';
import { AttestationStore } from '../../src/store/store.js';
import {
  EXPORTED,
  ID,
  QUANTIZED,
  RELEASED,
  ROOTS,
  UPSTREAM,
  descs,
  errors,
  legitChain,
  startLab,
  statement,
  type Lab,
} from './helpers.js';

let lab: Lab;
let policyFile: string;
let rootFile: string;

beforeAll(async () => {
  lab = await startLab();
  await legitChain(lab, 'good');
  policyFile = lab.path('policy.json');
  rootFile = lab.path('trusted_root.json');
  await writeFile(
    policyFile,
    JSON.stringify({
      version: 1,
      steps: Object.fromEntries(
        [
          ['export', ID.exporter],
          ['quantize', ID.quantizer],
          ['repackage', ID.releaser],
        ].map(([k, identity]) => [
          k,
          {
            required: true,
            signers: [{ issuer: lab.standIn.issuer, identity }],
          },
        ]),
      ),
      roots: ROOTS.map((sha256) => ({ sha256 })),
    }),
  );
  await writeFile(rootFile, JSON.stringify(lab.standIn.trustedRoot));
});
afterAll(async () => lab.close());

async function cli(
  model: string,
  extra: string[] = [],
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(
    [
      'verify',
      lab.path(model),
      '--policy',
      policyFile,
      '--trusted-root',
      rootFile,
      ...extra,
    ],
    { stdout: (t) => (out += t), stderr: (t) => (err += t) },
  );
  return { code, out, err };
}

// C0 controls other than newline, DEL and C1 controls.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('adversarial: reports and the CLI', () => {
  it('baseline: mprov verify exits 0 on the legitimate chain', async () => {
    const { code, out } = await cli('good');
    expect(code).toBe(0);
    expect(out).toContain('VERIFIED');
  });

  // Was a hole: a signed payloadType reached the terminal raw.
  it('keeps attacker-chosen payload types out of the terminal raw', async () => {
    await lab.write('inject', RELEASED);
    await lab.attest(
      'inject',
      ID.mallory,
      statement({
        kind: 'repackage',
        inputs: descs(QUANTIZED),
        outputs: descs(RELEASED),
      }),
      {
        payloadType:
          'x\u001b[2J\u001b]0;owned\u0007\nVERIFIED: 3 steps, every file accounted for',
      },
    );
    const result = await lab.verify('inject', lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    const text = renderText(result);
    expect(text).not.toMatch(CONTROL);
    expect(text.split('\n')).not.toContain(
      'VERIFIED: 3 steps, every file accounted for',
    );
  });

  it('exits 2 with a coded error, not a crash, on a FIFO in the store', async () => {
    await lab.write('fifo', RELEASED);
    const dir = AttestationStore.forModel(lab.path('fifo')).dir;
    await mkdir(dir, { recursive: true });
    execFileSync('mkfifo', [join(dir, `${'e'.repeat(64)}.sigstore.json`)]);
    const { code, err } = await cli('fifo');
    expect(code).toBe(2);
    expect(err).toMatch(/error STORE_ENTRY_INVALID/);
  });

  it('exits 1 with --json on a tampered file', async () => {
    const { cp, appendFile } = await import('node:fs/promises');
    await cp(lab.path('good'), lab.path('tampered'), { recursive: true });
    await appendFile(lab.path('tampered/model.safetensors'), 'x');
    const { code, out } = await cli('tampered', ['--json']);
    expect(code).toBe(1);
    const parsed = JSON.parse(out) as {
      verified: boolean;
      findings: { code: string }[];
    };
    expect(parsed.verified).toBe(false);
    expect(parsed.findings.map((f) => f.code)).toContain('FILE_MODIFIED');
  });

  it('flags a step signed before the step whose output it consumes', async () => {
    const model = 'early';
    // Quantize is signed first, naming export outputs that do not exist yet.
    await lab.attest(
      model,
      ID.quantizer,
      statement({
        kind: 'quantize',
        inputs: descs(EXPORTED),
        outputs: descs(QUANTIZED),
      }),
    );
    await new Promise((r) => setTimeout(r, 1100));
    await lab.attest(
      model,
      ID.exporter,
      statement({
        kind: 'export',
        inputs: descs(UPSTREAM),
        outputs: descs(EXPORTED),
      }),
    );
    await lab.attest(
      model,
      ID.releaser,
      statement({
        kind: 'repackage',
        inputs: descs(QUANTIZED),
        outputs: descs(RELEASED),
      }),
    );
    await lab.write(model, RELEASED);
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    // One finding per consumed input (two here): duplicates, but all this code.
    expect(new Set(errors(result.findings))).toEqual(
      new Set(['STEP_BEFORE_INPUT']),
    );
  });
});
