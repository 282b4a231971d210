import { execFile } from 'node:child_process';
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startStandIn, type StandIn } from '../../src/testing/index.js';
import { TESTDATA } from '../testdata.js';
import { runCaptured as cli } from './capture.js';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');

let dir: string;
let standIn: StandIn;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-cli-'));
  standIn = await startStandIn();
});
afterAll(async () => {
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
});

describe('mprov (built)', () => {
  it('prints help with every command and exits 0', async () => {
    const { stdout } = await run(process.execPath, [MAIN, '--help']);
    for (const name of ['attest', 'verify', 'demo', 'stand-in']) {
      expect(stdout).toContain(`  ${name} `);
    }
  });

  it('verifies a public-good bundle with the embedded root, offline', async () => {
    const dir = join(TESTDATA, 'sigstore-conformance/bundle-verify');
    const { stdout } = await run(process.execPath, [
      MAIN,
      'verify-bundle',
      '--bundle',
      join(dir, 'happy-path-v0.3/bundle.sigstore.json'),
      '--certificate-identity',
      'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
      '--certificate-oidc-issuer',
      'https://token.actions.githubusercontent.com',
      join(dir, 'a.txt'),
    ]);
    expect(stdout.length).toBeGreaterThan(0);
  });

  it('prints its version', async () => {
    const { stdout } = await run(process.execPath, [MAIN, '--version']);
    expect(stdout).toMatch(/^mprov \d+\.\d+\.\d+\n$/);
  });

  it('exits 2 for an unknown command, with one line on stderr', async () => {
    const error = (await run(process.execPath, [MAIN, 'frob']).catch(
      (e: unknown) => e,
    )) as { code: number; stderr: string };
    expect(error.code).toBe(2);
    expect(error.stderr).toBe(
      'mprov: error USAGE_INVALID: unknown command "frob" (see mprov --help)\n',
    );
  });

  it('exits 2 with no command, its usage on stderr and none on stdout', async () => {
    const { code, stdout, stderr } = await cli();
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^usage: mprov <command>/);
  });
});

describe('mprov <command> --help', () => {
  it.each(['attest', 'verify', 'demo', 'stand-in'])(
    'shows an example for %s',
    async (name) => {
      const { code, stdout } = await cli(name, '--help');
      expect(code).toBe(0);
      expect(stdout).toMatch(/^usage: mprov /);
      expect(stdout).toContain('example');
    },
  );
});

describe('mprov attest', () => {
  it('signs a step into the output store and prints its id', async () => {
    await mkdir(join(dir, 'in'), { recursive: true });
    await mkdir(join(dir, 'out'), { recursive: true });
    await writeFile(join(dir, 'in', 'w.bin'), 'float');
    await writeFile(join(dir, 'out', 'w.bin'), 'int8');
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, await standIn.mintToken('q@example.com'));
    const { code, stdout, stderr } = await cli(
      'attest',
      '--kind',
      'quantize',
      '--input',
      join(dir, 'in'),
      '--output',
      join(dir, 'out'),
      '--param',
      'scheme=int8',
      '--param',
      'bits=8',
      '--builder-id',
      'https://ci.example.com/q',
      '--fulcio-url',
      standIn.fulcioURL,
      '--rekor-url',
      standIn.rekorURL,
      '--identity-token-file',
      tokenFile,
      '--json',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as {
      id: string;
      statement: {
        predicate: { buildDefinition: { externalParameters: unknown } };
      };
    };
    expect(out.statement.predicate.buildDefinition.externalParameters).toEqual({
      scheme: 'int8',
      bits: 8,
    });
    const stored = await readdir(join(dir, 'out', '.mprov', 'attestations'));
    expect(stored).toEqual([`${out.id}.sigstore.json`]);
  });

  it('exits 2 without a token, and never prints one', async () => {
    const token = await standIn.mintToken('q@example.com');
    const tokenFile = join(dir, 'bad-token');
    await writeFile(tokenFile, token);
    const missing = await cli(
      'attest',
      '--kind',
      'quantize',
      '--input',
      join(dir, 'in'),
      '--output',
      join(dir, 'out'),
      '--builder-id',
      'https://ci.example.com/q',
      '--fulcio-url',
      standIn.fulcioURL,
      '--rekor-url',
      standIn.rekorURL,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('SIGSTORE_ID_TOKEN');
    const refused = await cli(
      'attest',
      '--kind',
      'quantize',
      '--input',
      join(dir, 'in'),
      '--output',
      join(dir, 'out'),
      '--param',
      'scheme=int8',
      '--param',
      'bits=8',
      '--builder-id',
      'https://ci.example.com/q',
      '--fulcio-url',
      'http://127.0.0.1:9',
      '--rekor-url',
      'http://127.0.0.1:9',
      '--identity-token-file',
      tokenFile,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^mprov: error SIGNING_/);
    expect(refused.stderr + refused.stdout).not.toContain(token);
    expect(refused.stderr + refused.stdout).not.toContain(token.split('.')[1]);
  });
});

describe('mprov stand-in', () => {
  it('writes a trusted root, env file and tokens, then stops', async () => {
    const out = join(dir, 'sandbox');
    const { code, stdout } = await cli(
      'stand-in',
      '--dir',
      out,
      '--identity',
      'me@example.com',
      '--seconds',
      '1',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('stand-in stopped');
    const env = await readFile(join(out, 'env.sh'), 'utf8');
    expect(env).toMatch(/^export MPROV_FULCIO_URL=http:\/\/127\.0\.0\.1:\d+$/m);
    const root = JSON.parse(
      await readFile(join(out, 'trusted_root.json'), 'utf8'),
    ) as {
      certificateAuthorities: unknown[];
    };
    expect(root.certificateAuthorities).toHaveLength(1);
    const token = await readFile(
      join(out, 'tokens', 'me@example.com.jwt'),
      'utf8',
    );
    expect(token.split('.')).toHaveLength(3);
    // Only the owner reaches the tokens, which are rewritten while it runs.
    const mode = async (p: string) => (await stat(p)).mode & 0o777;
    expect(await mode(join(out, 'tokens'))).toBe(0o700);
    expect(await mode(join(out, 'tokens', 'me@example.com.jwt'))).toBe(0o600);
  });
});
