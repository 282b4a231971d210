import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { keylessSigner } from '../../src/signing/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';
import { loadTrustedRoot } from '../../src/verify/trusted-root.js';
import { serveFiles, type FileServer } from '../trust/serve.js';
import { TufRepo } from '../trust/tuf-repo.js';
import { runCaptured as cli } from './capture.js';

const IDENTITY = 'tuf-cli@example.com';

let standIn: StandIn;
let dir: string;
let target: Buffer;
let repo: TufRepo;
let server: FileServer;
let tuf: string[];

/** A DSSE bundle by the stand-in over a statement whose subject is a file. */
async function signArtifact(): Promise<{ bundle: string; artifact: string }> {
  const artifact = join(dir, 'a.txt');
  await writeFile(artifact, 'hello, tuf\n');
  const sha256 = createHash('sha256').update('hello, tuf\n').digest('hex');
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'a.txt', digest: { sha256 } }],
    predicateType: 'https://example.com/test/v1',
    predicate: {},
  };
  const signer = keylessSigner({
    fulcioURL: standIn.fulcioURL,
    rekorURL: standIn.rekorURL,
    identityToken: await standIn.mintToken(IDENTITY),
  });
  const signed = await signer.signDsse(
    Buffer.from(JSON.stringify(statement)),
    'application/vnd.in-toto+json',
  );
  const bundle = join(dir, 'a.txt.sigstore.json');
  await writeFile(bundle, JSON.stringify(signed));
  return { bundle, artifact };
}

beforeAll(async () => {
  standIn = await startStandIn();
  dir = await mkdtemp(join(tmpdir(), 'mprov-trust-cli-'));
  target = Buffer.from(JSON.stringify(standIn.trustedRoot));
  repo = new TufRepo();
  repo.publish(target);
  server = await serveFiles(repo.files);
  await writeFile(join(dir, 'root.json'), repo.initialRoot);
  tuf = [
    '--tuf-mirror',
    server.url,
    '--tuf-root',
    join(dir, 'root.json'),
    '--tuf-cache',
    join(dir, 'cache'),
  ];
});
afterAll(async () => {
  await server.close();
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
});

describe('mprov trust update', () => {
  it('refreshes, prints JSON and copies the root with --out', async () => {
    const out = join(dir, 'trusted_root.json');
    const { code, stdout } = await cli(
      'trust',
      'update',
      ...tuf,
      '--out',
      out,
      '--json',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      format: 'https://model-provenance.dev/trust-update-result/v1',
      refreshed: true,
      mirror: server.url,
      tufRootVersion: 1,
      digest: loadTrustedRoot(standIn.trustedRoot).digest,
      copiedTo: out,
    });
    expect(result.source).toMatch(new RegExp(`^tuf:${server.url} \\(root v1`));
    expect(await readFile(out)).toEqual(target);
  });

  it('prints the source, digest and file in text', async () => {
    const { code, stdout } = await cli('trust', 'update', ...tuf);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^refreshed trusted root\n {2}source: {7}tuf:http:\/\/127\.0\.0\.1:\d+ \(root v1, fetched at /,
    );
    expect(stdout).toContain('  digest:       sha256:');
  });

  it('exits 1 with one line naming the code and the mirror when the mirror is down', async () => {
    const down = await serveFiles(new Map());
    await down.close();
    const args = [
      '--tuf-mirror',
      down.url,
      '--tuf-root',
      join(dir, 'root.json'),
    ];
    const { code, stdout, stderr } = await cli(
      'trust',
      'update',
      ...args,
      '--tuf-cache',
      join(dir, 'c2'),
      '--json',
    );
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({
      refreshed: false,
      code: 'TRUST_MIRROR_UNREACHABLE',
    });
    expect(stderr).toMatch(
      new RegExp(
        `^mprov: error TRUST_MIRROR_UNREACHABLE: tuf mirror ${down.url}: [^\\n]+\\n$`,
      ),
    );
  });

  it('exits 2 for a private mirror without --tuf-root', async () => {
    const args = ['--tuf-mirror', server.url, '--tuf-cache', join(dir, 'c3')];
    const { code, stderr } = await cli('trust', 'update', ...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^mprov: error TRUST_INITIAL_ROOT_MISSING: /);
  });

  it('exits 2 with USAGE_OUTPUT_UNWRITABLE when --out cannot be written', async () => {
    const out = join(dir, 'no-such-folder', 'trusted_root.json');
    const { code, stderr } = await cli('trust', 'update', ...tuf, '--out', out);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^mprov: error USAGE_OUTPUT_UNWRITABLE: /);
    expect(stderr).toContain(out);
  });

  it('exits 2 with TRUST_OPTIONS_INVALID for another --tuf-root on a cached mirror', async () => {
    const cache = ['--tuf-cache', join(dir, 'c4'), '--tuf-mirror', server.url];
    const first = ['--tuf-root', join(dir, 'root.json')];
    expect((await cli('trust', 'update', ...cache, ...first)).code).toBe(0);
    const other = join(dir, 'other-root.json');
    await writeFile(other, new TufRepo().initialRoot);
    const again = ['--tuf-root', other];
    const { code, stderr } = await cli('trust', 'update', ...cache, ...again);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^mprov: error TRUST_OPTIONS_INVALID: .*--force/);
  });

  it('exits 2 without the update subcommand', async () => {
    const { code, stderr } = await cli('trust', ...tuf);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^mprov: error USAGE_INVALID: /);
  });
});

describe('mprov verify-bundle --tuf-refresh', () => {
  it('verifies against the refreshed root and names it as the source', async () => {
    const { bundle, artifact } = await signArtifact();
    const signer = [
      '--certificate-identity',
      IDENTITY,
      '--certificate-oidc-issuer',
      standIn.issuer,
    ];
    const { code, stdout } = await cli(
      'verify-bundle',
      '--bundle',
      bundle,
      ...signer,
      '--tuf-refresh',
      ...tuf,
      '--json',
      artifact,
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      trustedRoot: { digest: string; source: string };
    };
    expect(result.trustedRoot.digest).toBe(
      loadTrustedRoot(standIn.trustedRoot).digest,
    );
    expect(result.trustedRoot.source).toMatch(
      new RegExp(`^tuf:${server.url} \\(root v1, fetched at `),
    );

    // Without --tuf-refresh the same bundle fails against the public-good root.
    const offline = await cli(
      'verify-bundle',
      '--bundle',
      bundle,
      ...signer,
      artifact,
    );
    expect(offline.code).toBe(1);
  });

  it('exits 2 with the TUF code on one line when the mirror is down', async () => {
    const down = await serveFiles(new Map());
    await down.close();
    const { code, stdout, stderr } = await cli(
      'verify-bundle',
      '--bundle',
      'b.json',
      '--certificate-identity',
      'x',
      '--certificate-oidc-issuer',
      'https://y',
      '--tuf-refresh',
      '--tuf-mirror',
      down.url,
      '--tuf-root',
      join(dir, 'root.json'),
      '--tuf-cache',
      join(dir, 'c4'),
      'a.txt',
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^mprov: error TRUST_MIRROR_UNREACHABLE: [^\n]+\n$/);
  });

  it('refuses TUF options without --tuf-refresh, before any request', async () => {
    const before = server.requests.length;
    const { code, stderr } = await cli(
      'verify-bundle',
      '--bundle',
      'b.json',
      '--certificate-identity',
      'x',
      '--certificate-oidc-issuer',
      'https://y',
      ...tuf,
      'a.txt',
    );
    expect(code).toBe(2);
    expect(stderr).toContain(
      '--tuf-mirror, --tuf-root, --tuf-cache needs --tuf-refresh',
    );
    expect(server.requests.length).toBe(before);
  });

  it('refuses --tuf-refresh with --trusted-root', async () => {
    const { code, stderr } = await cli(
      'verify-bundle',
      '--bundle',
      'b.json',
      '--certificate-identity',
      'x',
      '--certificate-oidc-issuer',
      'https://y',
      '--tuf-refresh',
      '--trusted-root',
      't.json',
      ...tuf,
      'a.txt',
    );
    expect(code).toBe(2);
    expect(stderr).toContain('not both');
  });
});
