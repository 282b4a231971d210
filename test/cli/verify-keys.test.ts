import { generateKeyPairSync } from 'node:crypto';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { UNLOGGED_HINT } from '../../src/cli/unlogged-hint.js';
import { sha256File } from '../../src/digest/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';
import { loadPublicKey } from '../../src/verify/public-key.js';
import { TESTDATA } from '../testdata.js';
import { runCaptured as cli } from './capture.js';

process.env.NO_PROXY = '127.0.0.1,localhost';

let standIn: StandIn;
let dir: string;
let root: string;
const p = (...parts: string[]) => join(dir, ...parts);

async function makeKey(name: string, type: 'P-256' | 'P-384' | 'ed25519') {
  const pair =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: type });
  const pub = pair.publicKey.export({ type: 'spki', format: 'pem' });
  const priv = pair.privateKey.export({ type: 'pkcs8', format: 'pem' });
  await writeFile(p('keys', `${name}.pub`), pub);
  await writeFile(p('keys', `${name}.pem`), priv);
  return loadPublicKey(pub.toString()).digest;
}

/** `mprov attest` of one step of `sub`, signed with the key `name`. */
async function attest(
  sub: string,
  kind: string,
  from: string,
  to: string,
  name: string,
  logged = true,
) {
  const params =
    kind === 'export'
      ? ['sourceFormat=tfjs-layers', 'targetFormat=safetensors']
      : ['format=safetensors-bundle', 'targetRuntime=onnxruntime'];
  const run = await cli(
    'attest',
    ...['--kind', kind, '--input', p(sub, from), '--output', p(sub, to)],
    ...params.flatMap((param) => ['--param', param]),
    ...['--builder-id', 'https://ci.site.internal/' + kind],
    ...['--key', p('keys', `${name}.pem`)],
    ...(logged ? ['--rekor-url', standIn.rekorURL] : []),
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
}

/** A two-step chain under `sub`, exported by `exporter`, released by `releaser`. */
async function chain(
  sub: string,
  exporter: string,
  releaser: string,
  logged = true,
) {
  const weights = join(
    TESTDATA,
    'model-signing/signed/v1.0.0-elliptic-key/signme-1',
  );
  for (const folder of ['up', 'e', 'm'])
    await mkdir(p(sub, folder), { recursive: true });
  await copyFile(weights, p(sub, 'up', 'weights.bin'));
  await writeFile(p(sub, 'e', 'model.safetensors'), 'converted\n');
  await attest(sub, 'export', 'up', 'e', exporter, logged);
  await copyFile(
    p(sub, 'e', 'model.safetensors'),
    p(sub, 'm', 'model.safetensors'),
  );
  await writeFile(p(sub, 'm', 'README.md'), '# release\n');
  await attest(sub, 'repackage', 'e', 'm', releaser, logged);
}

async function writePolicy(
  sub: string,
  exporter: string,
  releaser: string,
  extra = '',
) {
  const path = p(sub, 'policy.yaml');
  await writeFile(
    path,
    `version: 1
${extra}steps:
  export:
    required: true
    after: []
    signers:
      - key: ../keys/${exporter}.pub
  repackage:
    required: true
    after: [export]
    signers:
      - key: ../keys/${releaser}.pub
final: [repackage]
roots:
  - name: upstream weights
    sha256: ${root}
`,
  );
  return path;
}

const verify = (sub: string, ...extra: string[]) =>
  cli(
    'verify',
    p(sub, 'm'),
    ...['--policy', p(sub, 'policy.yaml')],
    ...['--trusted-root', p('trusted_root.json')],
    ...extra,
  );

beforeAll(async () => {
  standIn = await startStandIn();
  dir = await mkdtemp(join(tmpdir(), 'mprov-verify-keys-'));
  await mkdir(p('keys'));
  await writeFile(p('trusted_root.json'), JSON.stringify(standIn.trustedRoot));
  root = await sha256File(
    join(TESTDATA, 'model-signing/signed/v1.0.0-elliptic-key/signme-1'),
  );
});
afterAll(async () => {
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
});

describe('mprov verify with a policy naming keys', () => {
  let releaserId: string;
  beforeAll(async () => {
    await makeKey('exporter', 'P-384');
    releaserId = await makeKey('releaser', 'ed25519');
    await makeKey('intruder', 'P-256');
    await chain('ok', 'exporter', 'releaser');
  });

  it('exits 0 for a chain attested with mprov attest --key', async () => {
    await writePolicy('ok', 'exporter', 'releaser');
    const run = await verify('ok', '--json');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as {
      steps: { kind: string; signer: unknown }[];
    };
    expect(json.steps.at(-1)?.signer).toEqual({ keyId: releaserId });
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
  });

  it('exits 1 with SIGNER_NOT_ALLOWED when another key is required', async () => {
    await writePolicy('ok', 'exporter', 'intruder');
    const run = await verify('ok');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('SIGNER_NOT_ALLOWED');
    expect(run.stdout).not.toContain('BEGIN PUBLIC KEY');
  });

  it('exits 2 with POLICY_UNREADABLE when a key file is missing', async () => {
    await writePolicy('ok', 'exporter', 'nobody');
    const run = await verify('ok');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^mprov: error POLICY_UNREADABLE: .*nobody\.pub/,
    );
  });
});

describe('mprov verify with unlogged key signatures', () => {
  beforeAll(async () => {
    await makeKey('offline-exporter', 'P-256');
    await makeKey('offline-releaser', 'P-256');
    await chain('offline', 'offline-exporter', 'offline-releaser', false);
  });

  it('exits 1 unless the policy allows unlogged steps', async () => {
    await writePolicy('offline', 'offline-exporter', 'offline-releaser');
    const run = await verify('offline');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('ATTESTATION_UNVERIFIED');
  });

  it('exits 0 with allowUnlogged: true', async () => {
    const extra = 'allowUnlogged: true\n';
    await writePolicy('offline', 'offline-exporter', 'offline-releaser', extra);
    const run = await verify('offline');
    expect(run.stdout).toContain('no signed time');
    expect(run.code).toBe(0);
  });

  it('exits 0 without --trusted-root: nothing needs a log', async () => {
    const run = await cli(
      'verify',
      p('offline', 'm'),
      ...['--policy', p('offline', 'policy.yaml')],
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});

describe('mprov inspect of key-signed attestations', () => {
  beforeAll(async () => {
    await makeKey('inspect-exporter', 'P-256');
    await makeKey('inspect-releaser', 'ed25519');
    await makeKey('inspect-other', 'P-384');
    await chain('inspect', 'inspect-exporter', 'inspect-releaser');
    await makeKey('inspect-offline', 'P-256');
    await chain('inspect-off', 'inspect-offline', 'inspect-offline', false);
  });

  const inspect = (sub: string, ...extra: string[]) =>
    cli('inspect', p(sub, 'm'), ...extra);
  const key = (name: string) => ['--key', p('keys', `${name}.pub`)];

  it('exits 1 with --trusted-root alone: no key to check them with', async () => {
    const run = await inspect(
      'inspect',
      ...['--trusted-root', p('trusted_root.json')],
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAILED');
  });

  it('exits 0 with both keys, naming each step by its key id', async () => {
    const run = await inspect(
      'inspect',
      ...['--trusted-root', p('trusted_root.json')],
      ...key('inspect-exporter'),
      ...key('inspect-releaser'),
      '--json',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const shown = JSON.parse(run.stdout) as {
      verified: boolean;
      step: { kind: string };
      signer: { keyId?: string };
    }[];
    const ids = {
      export: loadPublicKey(
        await readFile(p('keys', 'inspect-exporter.pub'), 'utf8'),
      ).digest,
      repackage: loadPublicKey(
        await readFile(p('keys', 'inspect-releaser.pub'), 'utf8'),
      ).digest,
    };
    expect(shown).toHaveLength(2);
    for (const s of shown) {
      expect(s.verified).toBe(true);
      expect(s.signer.keyId).toBe(ids[s.step.kind as keyof typeof ids]);
    }
  });

  it('exits 1 naming VERIFY_KEY_MISMATCH for the step no key given signed', async () => {
    const run = await inspect(
      'inspect',
      ...['--trusted-root', p('trusted_root.json')],
      ...key('inspect-exporter'),
      ...key('inspect-other'),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('verified');
    expect(run.stdout).toContain('VERIFY_KEY_MISMATCH');
    expect(run.stdout).not.toContain('BEGIN PUBLIC KEY');
  });

  it('checks unlogged steps only with --allow-unlogged', async () => {
    const strict = await inspect('inspect-off', ...key('inspect-offline'));
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain(`hint     ${UNLOGGED_HINT}`);
    const lax = await inspect(
      'inspect-off',
      ...key('inspect-offline'),
      '--allow-unlogged',
    );
    expect(lax.stderr).toBe('');
    expect(lax.code).toBe(0);
    expect(lax.stdout).toMatch(/signer {3}key sha256:[0-9a-f]{64}/);
    expect(lax.stdout).toContain(
      'time     no signed time (unlogged key signature)',
    );
    expect(lax.stdout).not.toContain('hint');
  });

  it('exits 2 for --allow-unlogged without --key', async () => {
    const run = await inspect('inspect-off', '--allow-unlogged');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--allow-unlogged needs --key');
  });
});
