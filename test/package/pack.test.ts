/**
 * The package as users get it: `npm pack`, installed from the tarball into
 * an empty folder with npm offline (dependencies from the npm cache that
 * `npm ci` filled), then run from there. Needs `dist/`: `npm test` builds
 * first; alone, run `npm run build` before `npx vitest run test/package`.
 *
 * The folder gets a lockfile with the repository's own resolutions of the
 * production dependencies, and `npm ci` installs from it: `npm install` of
 * a bare tarball asks for the full registry metadata of every dependency,
 * which a cache filled by `npm ci` on a fresh machine does not hold, so it
 * would fail offline there.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BEACON, SUITE } from '../verify/conformance-cases.js';
import { run, runOk } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const NODE = process.execPath;
const HAPPY = join(SUITE, 'bundle-verify', 'happy-path-v0.3');
const ARTIFACT = join(SUITE, 'bundle-verify', 'a.txt');
const PUBLIC_GOOD = join(SUITE, '..', 'public-good', 'trusted_root.json');

let work: string;
let app: string;
let files: string[];

/** `npm pack` into `work`, then install the tarball into `work/app`. */
beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run npm run build first');
  }
  work = await mkdtemp(join(tmpdir(), 'mprov-pack-'));
  const packed = await runOk(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', work],
    { cwd: ROOT },
  );
  const [info] = JSON.parse(packed.stdout) as {
    filename: string;
    files: { path: string }[];
  }[];
  files = info.files.map((f) => f.path);

  app = join(work, 'app');
  await mkdir(app);
  await writeApp(app, `file:../${info.filename}`);
  await runOk('npm', ['ci', '--offline', '--ignore-scripts'], { cwd: app });
});

interface LockEntry {
  dev?: boolean;
  [field: string]: unknown;
}

/**
 * An app that depends on the tarball, with a lockfile: the package as the
 * tarball declares it, and the production dependencies as the
 * repository's lockfile resolves them.
 */
async function writeApp(dir: string, tarball: string): Promise<void> {
  const read = async (name: string) =>
    JSON.parse(await readFile(join(ROOT, name), 'utf8')) as {
      version: string;
      license: string;
      dependencies: Record<string, string>;
      bin: Record<string, string>;
      engines: Record<string, string>;
      packages: Record<string, LockEntry>;
    };
  const pkg = await read('package.json');
  const lock = await read('package-lock.json');
  const dependencies = { 'model-provenance': tarball };
  const packages: Record<string, unknown> = {
    '': { name: 'app', version: '0.0.0', dependencies },
    'node_modules/model-provenance': {
      version: pkg.version,
      resolved: tarball,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path.startsWith('node_modules/') && entry.dev !== true) {
      packages[path] = entry;
    }
  }
  const app = { name: 'app', version: '0.0.0', private: true, dependencies };
  await writeFile(join(dir, 'package.json'), JSON.stringify(app));
  await writeFile(
    join(dir, 'package-lock.json'),
    JSON.stringify({
      name: 'app',
      version: '0.0.0',
      lockfileVersion: 3,
      requires: true,
      packages,
    }),
  );
}

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The installed `mprov`, run with the repository's Node 22. */
const mprov = (args: string[], stdin?: Buffer) =>
  run(NODE, [join(app, 'node_modules', '.bin', 'mprov'), ...args], {
    cwd: app,
    ...(stdin ? { stdin } : {}),
  });

describe('npm pack', () => {
  it('ships dist, docs, LICENSE and README only', () => {
    const allowed = /^(dist\/|docs\/|LICENSE$|README\.md$|package\.json$)/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|fixtures)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('dist/api/'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('dist/shims/'))).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/cli/main.js',
        'dist/index.d.ts',
        'dist/testing/index.js',
        'dist/core/index.js',
        'dist/browser/core.js',
        'LICENSE',
        'README.md',
      ]),
    );
  });

  it('asks for provenance when published', async () => {
    const pkg = JSON.parse(
      await readFile(
        join(app, 'node_modules', 'model-provenance', 'package.json'),
        'utf8',
      ),
    ) as { publishConfig?: { provenance?: boolean } };
    expect(pkg.publishConfig?.provenance).toBe(true);
  });
});

describe('the installed package', () => {
  it('runs npx mprov --help', async () => {
    const ran = await run('npx', ['--offline', 'mprov', '--help'], {
      cwd: app,
    });
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^usage: mprov <command>/);
    expect(ran.stdout).toContain('verify-bundle');
  });

  it('verifies a public-good bundle read from stdin', async () => {
    const bundle = await readFile(join(HAPPY, 'bundle.sigstore.json'));
    const ran = await mprov(
      [
        'verify-bundle',
        '--bundle',
        '-',
        '--certificate-identity',
        BEACON.identity,
        '--certificate-oidc-issuer',
        BEACON.issuer,
        '--trusted-root',
        PUBLIC_GOOD,
        '--json',
        ARTIFACT,
      ],
      bundle,
    );
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ verified: true });
  });

  it('refuses the same bundle against another artifact', async () => {
    const ran = await mprov([
      'verify-bundle',
      '--bundle',
      join(HAPPY, 'bundle.sigstore.json'),
      '--certificate-identity',
      BEACON.identity,
      '--certificate-oidc-issuer',
      BEACON.issuer,
      '--trusted-root',
      PUBLIC_GOOD,
      `sha256:${'0'.repeat(64)}`,
    ]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/^not verified: VERIFY_/);
  });

  it('resolves both exports and hides the rest', async () => {
    const script = `
      const core = await import('model-provenance');
      const testing = await import('model-provenance/testing');
      let hidden = 'resolved';
      try { await import('model-provenance/dist/cli/run.js'); }
      catch (e) { hidden = e.code; }
      console.log(JSON.stringify({
        core: [typeof core.attestStep, typeof core.verifyChain],
        testing: typeof testing.startStandIn,
        hidden,
      }));`;
    const ran = await runOk(NODE, ['--input-type=module', '-e', script], {
      cwd: app,
    });
    expect(JSON.parse(ran.stdout)).toEqual({
      core: ['function', 'function'],
      testing: 'function',
      hidden: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  });

  it('resolves model-provenance/core: dist/core under Node, the bundle for browsers', async () => {
    const script = `
      const core = await import('model-provenance/core');
      console.log(JSON.stringify({
        url: import.meta.resolve('model-provenance/core'),
        verify: typeof core.verifyChainInMemory,
        root: typeof core.loadTrustedRoot,
      }));`;
    const resolve = async (conditions: string[]) => {
      const ran = await runOk(
        NODE,
        [...conditions, '--input-type=module', '-e', script],
        { cwd: app },
      );
      return JSON.parse(ran.stdout) as Record<string, string>;
    };
    const where = 'node_modules/model-provenance/dist';
    expect(await resolve([])).toMatchObject({
      url: expect.stringMatching(`${where}/core/index\\.js$`) as unknown,
      verify: 'function',
      root: 'function',
    });
    expect(await resolve(['--conditions=browser'])).toMatchObject({
      url: expect.stringMatching(`${where}/browser/core\\.js$`) as unknown,
      verify: 'function',
      root: 'function',
    });
  });

  it('attests a step with the installed library and verifies it with mprov', async () => {
    await writeFile(join(app, 'sign.mjs'), SIGN_SCRIPT);
    await runOk(NODE, ['sign.mjs'], { cwd: app });
    const args = ['--policy', 'policy.json', '--trusted-root', 'root.json'];
    const held = await mprov(['verify', 'model', ...args, '--json']);
    expect(held.stderr).toBe('');
    expect(JSON.parse(held.stdout)).toMatchObject({ verified: true });
    expect(held.code).toBe(0);

    await writeFile(join(app, 'model', 'weights.bin'), 'tampered');
    const broken = await mprov(['verify', 'model', ...args]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('FILE_MODIFIED');
  });
});

/**
 * Run inside the install folder: a stand-in on 127.0.0.1 from
 * `model-provenance/testing`, one step attested with `attestStep`, and the
 * policy and trusted root that `mprov verify` needs.
 */
const SIGN_SCRIPT = `
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { attestStep, keylessSigner } from 'model-provenance';
import { startStandIn } from 'model-provenance/testing';

const standIn = await startStandIn();
try {
  await mkdir('upstream'); await mkdir('model');
  await writeFile('upstream/weights.bin', 'weights v1');
  await writeFile('model/weights.bin', 'WEIGHTS V1');
  const who = 'converter@example.com';
  await attestStep({
    kind: 'convert', inputs: [{ path: 'upstream' }], output: 'model',
    parameters: { tool: 'upper' }, builderId: 'https://ci.example.com/convert',
    signer: keylessSigner({
      fulcioURL: standIn.fulcioURL, rekorURL: standIn.rekorURL,
      tsaServerURL: standIn.tsaURL,
      identityToken: await standIn.mintToken(who),
    }),
  });
  const sha256 = createHash('sha256').update('weights v1').digest('hex');
  await writeFile('policy.json', JSON.stringify({
    version: 1,
    steps: { convert: { required: true,
      signers: [{ issuer: standIn.issuer, identity: who }] } },
    roots: [{ name: 'upstream weights', sha256 }],
  }));
  await writeFile('root.json', JSON.stringify(standIn.trustedRoot));
} finally {
  await standIn.close();
}
`;
