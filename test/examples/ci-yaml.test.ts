/**
 * The CI examples: their YAML parses, they ask for the OIDC token the way
 * each CI system needs, and every `mprov` line they hold runs, with the
 * same arguments, against the local stand-in instead of public Sigstore.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { startStandIn, type StandIn } from '../../src/testing/index.js';
import {
  githubScripts,
  gitlabScripts,
  loadYaml,
  mprovCalls,
  optionsOf,
} from './ci-commands.js';
import { captureCli as cli } from '../cli/capture.js';

const WHO =
  'https://ci.example.com/acme/models/attest-steps.yml@refs/heads/main';
const UPSTREAM = 'weights v1';
const sha256 = (text: string) =>
  createHash('sha256').update(text).digest('hex');
const GITHUB = loadYaml('github-actions/attest-steps.yml');
const GITLAB = loadYaml('gitlab-ci/.gitlab-ci.yml');

let standIn: StandIn;
let dir: string;

beforeAll(async () => {
  standIn = await startStandIn();
  dir = await mkdtemp(join(tmpdir(), 'mprov-example-ci-'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
});

/** The commands and options that `mprov --help` and each command's help list. */
async function helpOf(command: string): Promise<string> {
  const { code, stdout } = await cli([command, '--help']);
  expect(code, `mprov ${command} --help`).toBe(0);
  return stdout;
}

/**
 * Plays the pipeline of `scripts` in a fresh folder: each step's file made
 * anew (for the examples' `make` targets), each `mprov` call run as
 * written, with the folders, token file and builder made local.
 */
async function play(name: string, scripts: string[]) {
  const work = join(dir, name);
  await mkdir(join(work, 'upstream'), { recursive: true });
  await writeFile(join(work, 'upstream', 'weights.bin'), UPSTREAM);
  const token = join(work, 'oidc.jwt');
  await writeFile(token, await standIn.mintToken(WHO));
  await writeFile(join(work, 'policy.yaml'), policyYaml());
  await writeFile(
    join(work, 'trusted_root.json'),
    JSON.stringify(standIn.trustedRoot),
  );
  const local = (word: string): string =>
    word === '$RUNNER_TEMP/oidc.jwt'
      ? token
      : word === '$BUILDER_ID'
        ? 'https://ci.example.com/attest-steps'
        : /^(upstream|exported|quantized|release|policy\.yaml|trusted_root\.json)$/.test(
              word,
            )
          ? join(work, word)
          : word;
  const ran = [];
  for (const call of mprovCalls(scripts)) {
    const args = call.map(local);
    if (args[0] === 'attest') {
      // What the step's make target would do: a new file from the input.
      const output = args[args.indexOf('--output') + 1];
      await mkdir(output, { recursive: true });
      await writeFile(join(output, 'model.bin'), `${call[2]} output`);
    }
    ran.push({ call: call.join(' '), ...(await cli(args)) });
  }
  return ran;
}

function policyYaml(): string {
  const signer = `[{ issuer: "${standIn.issuer}", identity: "${WHO}" }]`;
  return [
    'version: 1',
    'steps:',
    `  export: { required: true, after: [], signers: ${signer} }`,
    `  quantize: { required: true, after: [export], signers: ${signer} }`,
    `  repackage: { required: true, after: [quantize], signers: ${signer} }`,
    'final: [repackage]',
    'roots:',
    `  - { name: upstream weights, sha256: ${sha256(UPSTREAM)} }`,
  ].join('\n');
}

describe('examples/github-actions/attest-steps.yml', () => {
  it('asks for an OIDC token and attests three steps, then verifies', () => {
    expect(GITHUB.permissions).toMatchObject({ 'id-token': 'write' });
    const calls = mprovCalls(githubScripts(GITHUB));
    expect(calls.map((c) => c[0])).toEqual([
      'attest',
      'attest',
      'attest',
      'verify',
      'verify',
    ]);
  });
});

describe('examples/gitlab-ci/.gitlab-ci.yml', () => {
  it('gives the job a token for the audience sigstore', () => {
    const job = GITLAB['package-model'] as Record<string, unknown>;
    expect(job.id_tokens).toEqual({ SIGSTORE_ID_TOKEN: { aud: 'sigstore' } });
    const calls = mprovCalls(gitlabScripts(GITLAB));
    expect(calls.map((c) => c[0])).toEqual([
      'attest',
      'attest',
      'attest',
      'verify',
      'verify',
    ]);
  });
});

describe.each([
  ['github', githubScripts(GITHUB)],
  ['gitlab', gitlabScripts(GITLAB)],
])('the mprov lines of %s', (name, scripts) => {
  it('use only commands and options that mprov --help lists', async () => {
    const main = (await cli(['--help'])).stdout;
    for (const call of mprovCalls(scripts)) {
      expect(main).toMatch(new RegExp(`^  ${call[0]} `, 'm'));
      const help = await helpOf(call[0]);
      for (const option of optionsOf(call)) {
        expect(help, `${call[0]} ${option}`).toContain(option);
      }
    }
  });

  it('run as written against the stand-in, and the chain verifies', async () => {
    vi.stubEnv('MPROV_FULCIO_URL', standIn.fulcioURL);
    vi.stubEnv('MPROV_REKOR_URL', standIn.rekorURL);
    vi.stubEnv('MPROV_TSA_URL', standIn.tsaURL);
    vi.stubEnv('SIGSTORE_ID_TOKEN', await standIn.mintToken(WHO));
    const ran = await play(name, scripts);
    const failed = ran.filter((r) => r.code !== 0);
    expect(failed).toEqual([]);
    const json = ran.find((r) => r.call.includes('--json'));
    expect(JSON.parse(json!.stdout)).toMatchObject({ verified: true });
  });
});
