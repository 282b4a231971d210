import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runDemo, type DemoOutcome } from '../../src/demo/run-demo.js';
import { IDENTITIES } from '../../src/demo/policy.js';
import { runCaptured as cli } from '../cli/capture.js';

let dir: string;
let outcome: DemoOutcome;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-demo-'));
  outcome = await runDemo(join(dir, 'out'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

function verifyArgs(model = outcome.modelDir): string[] {
  return [
    'verify',
    model,
    '--policy',
    outcome.policyPath,
    '--trusted-root',
    outcome.trustedRootPath,
  ];
}

describe('#runDemo', () => {
  it('verifies the released model through four steps by four signers', () => {
    expect(outcome.genuine.verified).toBe(true);
    expect(
      outcome.genuine.steps.map((s) => [s.kind, s.signer.identity]),
    ).toEqual([
      ['export', IDENTITIES.export],
      ['quantize', IDENTITIES.quantize],
      ['adapter-attach', IDENTITIES.finetune],
      ['repackage', IDENTITIES.release],
    ]);
    const attach = outcome.genuine.steps[2];
    expect(attach?.inputs.map((i) => i.role).sort()).toEqual([
      'adapter',
      'adapter',
      'base',
      'base',
    ]);
    expect(attach?.parameters).toMatchObject({ mode: 'merged' });
  });

  it('catches one changed byte of the weights and locates it', () => {
    const result = outcome.tamperedWeights;
    expect(result.verified).toBe(false);
    const errors = result.findings.filter((f) => f.severity === 'error');
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'FILE_MODIFIED',
        file: 'model.safetensors',
        step: 'repackage',
      }),
      // The release's model.sig, checked beside the chain, agrees.
      expect.objectContaining({
        code: 'OMS_SIGNATURE_INVALID',
        message: expect.stringContaining(
          'changed: model.safetensors',
        ) as unknown,
      }),
    ]);
  });

  it('verifies the release model.sig beside the chain', () => {
    const last = outcome.genuine.steps.at(-1);
    expect(last?.bundle?.rootDigest).toBe(outcome.genuine.model.rootDigest);
    expect(
      outcome.genuine.findings.filter((f) => f.code.startsWith('OMS')),
    ).toEqual([]);
  });

  it('catches the adapter attached by a signer the policy refuses', () => {
    const result = outcome.rogueAdapter;
    expect(result.verified).toBe(false);
    expect(result.findings).toContainEqual(
      expect.objectContaining({
        code: 'SIGNER_NOT_ALLOWED',
        step: 'adapter-attach',
        signer: expect.objectContaining({
          identity: IDENTITIES.intruder,
        }) as unknown,
      }),
    );
  });
});

describe('#runDemo on a folder of the user', () => {
  it('throws USAGE_INVALID and deletes nothing', async () => {
    const mine = join(dir, 'mine');
    await mkdir(mine);
    await writeFile(join(mine, 'keep.txt'), 'precious');
    await expect(runDemo(mine)).rejects.toMatchObject({
      code: 'USAGE_INVALID',
    });
    expect(await readFile(join(mine, 'keep.txt'), 'utf8')).toBe('precious');
  });
});

describe('mprov verify on the demo output', () => {
  it('exits 0 and prints JSON with verified, steps and findings', async () => {
    const { code, stdout } = await cli(...verifyArgs(), '--json');
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as Record<string, unknown>;
    expect(json.verified).toBe(true);
    const schema = JSON.parse(
      await readFile(
        join(
          import.meta.dirname,
          '../../docs/schemas/verify-result.schema.json',
        ),
        'utf8',
      ),
    ) as Record<string, unknown>;
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    const failed = await cli(
      ...verifyArgs(join(dir, 'out', 'attacks', 'rogue-adapter')),
      '--json',
    );
    expect(
      validate(JSON.parse(failed.stdout)),
      JSON.stringify(validate.errors),
    ).toBe(true);
    expect(json.steps).toHaveLength(4);
    expect(json.findings).toEqual([]);
  });

  it('exits 1 after one byte of any file of the bundle changes', async () => {
    const files = (await readdir(outcome.modelDir)).filter(
      (f) => f !== '.mprov',
    );
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const path = join(outcome.modelDir, file);
      const original = await readFile(path);
      const changed = Buffer.from(original);
      changed[0] = changed[0] ^ 0x20;
      await writeFile(path, changed);
      try {
        const { code, stdout } = await cli(...verifyArgs(), '--json');
        expect(code).toBe(1);
        const json = JSON.parse(stdout) as {
          findings: { code: string; file?: string }[];
        };
        expect(json.findings).toContainEqual(
          expect.objectContaining({ code: 'FILE_MODIFIED', file }),
        );
      } finally {
        await writeFile(path, original);
      }
    }
    expect((await cli(...verifyArgs())).code).toBe(0);
  });

  it('exits 1 when a stored attestation is altered', async () => {
    const store = join(outcome.modelDir, '.mprov', 'attestations');
    const [name] = await readdir(store);
    const path = join(store, name);
    const original = await readFile(path, 'utf8');
    const bundle = JSON.parse(original) as {
      dsseEnvelope: { payload: string };
    };
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
    payload[payload.length - 2] = payload[payload.length - 2] ^ 0x01;
    bundle.dsseEnvelope.payload = payload.toString('base64');
    await writeFile(path, JSON.stringify(bundle));
    try {
      const { code, stdout } = await cli(...verifyArgs());
      expect(code).toBe(1);
      expect(stdout).toContain('ATTESTATION_UNVERIFIED');
    } finally {
      await writeFile(path, original);
    }
  });

  it('exits 2 for bad usage or unreadable input, with the code on stderr', async () => {
    const missing = await cli('verify', outcome.modelDir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^mprov: error USAGE_INVALID: /);
    const policy = await cli(
      ...verifyArgs().slice(0, 3),
      join(dir, 'no-such-policy.yaml'),
      '--trusted-root',
      outcome.trustedRootPath,
    );
    expect(policy.code).toBe(2);
    expect(policy.stderr).toContain('POLICY_UNREADABLE');
    const unknown = await cli(...verifyArgs(), '--frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).not.toMatch(/\n\s+at /);
  });
});

describe('mprov diff, graph and inspect on the demo output', () => {
  const chainArgs = () => [
    '--policy',
    outcome.policyPath,
    '--trusted-root',
    outcome.trustedRootPath,
  ];
  const tampered = () => join(dir, 'out', 'attacks', 'tampered-weights');

  it('diff names the modified file and the step that made its content', async () => {
    const { code, stdout } = await cli('diff', tampered(), ...chainArgs());
    expect(code).toBe(1);
    const line = stdout
      .split('\n')
      .find((l) => l.startsWith('model.safetensors'));
    expect(line).toMatch(/modified .*made by adapter-attach/);
    expect(stdout).toMatch(/^README\.md +ok +made by repackage/m);
    expect((await cli('diff', outcome.modelDir, ...chainArgs())).code).toBe(0);
  });

  it('graph prints the four steps as a flowchart', async () => {
    const { code, stdout } = await cli(
      'graph',
      outcome.modelDir,
      ...chainArgs(),
    );
    expect(code).toBe(0);
    expect(stdout.match(/^ {2}s\d\[/gm)).toHaveLength(4);
    expect(stdout).not.toContain(':::bad');
  });

  it('inspect verifies each stored attestation, or marks it unverified', async () => {
    const verified = await cli(
      'inspect',
      outcome.modelDir,
      '--trusted-root',
      outcome.trustedRootPath,
      '--json',
    );
    expect(verified.code).toBe(0);
    const list = JSON.parse(verified.stdout) as {
      verified: boolean | null;
      step: { kind: string };
    }[];
    expect(list.map((i) => i.step.kind).sort()).toEqual([
      'adapter-attach',
      'export',
      'quantize',
      'repackage',
    ]);
    expect(list.every((i) => i.verified === true)).toBe(true);
    const unverified = await cli('inspect', outcome.modelDir);
    expect(unverified.code).toBe(0);
    expect(unverified.stdout).toContain('NOT verified');
    expect(unverified.stdout).toContain('UNVERIFIED');
  });
});
