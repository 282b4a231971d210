import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  attestStep,
  type AttestStepOptions,
} from '../../src/attest/attest-step.js';
import type { Finding } from '../../src/chain/findings.js';
import { loadChain } from '../../src/chain/load.js';
import { verifyChain } from '../../src/chain/verify-chain.js';
import type { Policy } from '../../src/policy/policy.js';
import { keylessSigner } from '../../src/signing/index.js';
import { PAYLOAD_TYPE, type Statement } from '../../src/statement/index.js';
import {
  buildStepStatement,
  MANIFEST_MEDIA_TYPE,
} from '../../src/steps/index.js';
import { ManifestStore } from '../../src/store/manifests.js';
import { AttestationStore } from '../../src/store/store.js';
import { loadTrustedRoot } from '../../src/verify/index.js';
import { WHO, chainFixture, digestOf, type ChainFixture } from './fixture.js';

const FILES = 2000;
const PARAMETERS: Record<string, Record<string, unknown>> = {
  export: { sourceFormat: 'pytorch', targetFormat: 'safetensors' },
  quantize: { scheme: 'int8-symmetric-per-tensor', bits: 8 },
  repackage: { format: 'safetensors-bundle', targetRuntime: 'onnxruntime' },
};
const IDENTITY: Record<string, string> = {
  export: WHO.exporter,
  quantize: WHO.quantizer,
  repackage: WHO.releaser,
};

let fx: ChainFixture;
let policy: Policy;
const statements: Record<string, Statement> = {};

/** `count` small files in shard folders, as a large model has. */
function shards(count: number, tag: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    files[`shards/layer-${i % 40}/part-${i}.bin`] = `${tag} ${i}`;
  }
  return files;
}

async function attest(
  kind: string,
  input: string,
  output: string,
  files: Record<string, string>,
  extra: Partial<AttestStepOptions> = {},
): Promise<Statement> {
  await fx.write(
    Object.fromEntries(
      Object.entries(files).map(([k, v]) => [join(output, k), v]),
    ),
  );
  const attested = await attestStep({
    kind,
    inputs: [{ path: join(fx.dir, input) }],
    output: join(fx.dir, output),
    parameters: PARAMETERS[kind] ?? {},
    builderId: 'https://ci.example.com/test',
    signer: await signerFor(IDENTITY[kind] ?? ''),
    ...extra,
  });
  return attested.statement;
}

async function signerFor(identity: string) {
  return keylessSigner({
    fulcioURL: fx.standIn.fulcioURL,
    rekorURL: fx.standIn.rekorURL,
    tsaServerURL: fx.standIn.tsaURL,
    identityToken: await fx.standIn.mintToken(identity),
  });
}

// upstream/ckpt.bin -> export -> exported/ (2,000) -> quantize -> quantized/
// -> repackage -> model/ (2,000 and a card), each naming manifests (auto).
beforeAll(async () => {
  fx = await chainFixture();
  await fx.write({ 'upstream/ckpt.bin': 'checkpoint' });
  statements.export = await attest(
    'export',
    'upstream',
    'exported',
    shards(FILES, 'f32'),
  );
  const int8 = shards(FILES, 'int8');
  statements.quantize = await attest('quantize', 'exported', 'quantized', int8);
  statements.repackage = await attest('repackage', 'quantized', 'model', {
    ...int8,
    'README.md': '# card',
  });
  policy = fx.policy([await digestOf(fx, 'upstream/ckpt.bin')]);
}, 120_000);
afterAll(async () => fx.close());

const errors = (findings: Finding[]) =>
  findings.filter((f) => f.severity === 'error');
const outputManifest = (st: Statement | undefined) =>
  st?.subject.find((d) => d.mediaType === MANIFEST_MEDIA_TYPE)?.digest
    ?.sha256 ?? '';
const manifestPath = (model: string, sha: string) =>
  join(fx.dir, model, '.mprov', 'manifests', `sha256-${sha}.json`);

function verify(model: string) {
  return verifyChain({
    modelPath: join(fx.dir, model),
    policy,
    trustedRoot: loadTrustedRoot(fx.standIn.trustedRoot),
  });
}

async function copyModel(name: string): Promise<string> {
  await cp(join(fx.dir, 'model'), join(fx.dir, name), { recursive: true });
  return name;
}

describe('#verifyChain over statements that name manifests', () => {
  it('signs each step with one manifest subject and the bundle', () => {
    for (const st of Object.values(statements)) {
      expect(st.subject).toHaveLength(2);
      expect(outputManifest(st)).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('names as input manifest the earlier step’s output manifest', () => {
    const deps = (st: Statement | undefined) =>
      (
        st?.predicate.buildDefinition as {
          resolvedDependencies: {
            mediaType?: string;
            digest: { sha256: string };
          }[];
        }
      ).resolvedDependencies;
    const [input] = deps(statements.quantize);
    expect(input?.mediaType).toBe(MANIFEST_MEDIA_TYPE);
    expect(input?.digest.sha256).toBe(outputManifest(statements.export));
  });

  it('returns verified, each step with its 2,000 files', async () => {
    const result = await verify('model');
    expect(errors(result.findings)).toEqual([]);
    expect(result.verified).toBe(true);
    expect(result.steps.map((s) => s.kind)).toEqual([
      'export',
      'quantize',
      'repackage',
    ]);
    expect(result.steps.map((s) => s.outputs.length)).toEqual([
      FILES,
      FILES,
      FILES + 1,
    ]);
    expect(result.steps[2]?.inputs).toHaveLength(FILES);
  });

  it('returns FILE_MODIFIED naming a file changed on disk', async () => {
    const model = await copyModel('changed');
    await writeFile(join(fx.dir, model, 'shards/layer-7/part-1207.bin'), 'x');
    const result = await verify(model);
    expect(result.verified).toBe(false);
    expect(errors(result.findings).map((f) => [f.code, f.file])).toEqual([
      ['FILE_MODIFIED', 'shards/layer-7/part-1207.bin'],
    ]);
  });

  describe('when the last step’s manifest', () => {
    const sha = () => outputManifest(statements.repackage);

    it('is deleted, returns MANIFEST_MISSING', async () => {
      const model = await copyModel('no-manifest');
      await rm(manifestPath(model, sha()));
      const result = await verify(model);
      expect(result.verified).toBe(false);
      const [first] = errors(result.findings);
      expect(first).toMatchObject({
        code: 'MANIFEST_MISSING',
        step: 'repackage',
        expected: sha(),
      });
    });

    it('has one byte changed, returns MANIFEST_DIGEST_MISMATCH', async () => {
      const model = await copyModel('byte-changed');
      const bytes = await readFile(manifestPath(model, sha()));
      bytes[bytes.length - 3] ^= 1;
      await writeFile(manifestPath(model, sha()), bytes);
      const result = await verify(model);
      expect(result.verified).toBe(false);
      expect(errors(result.findings)[0]).toMatchObject({
        code: 'MANIFEST_DIGEST_MISMATCH',
        expected: sha(),
      });
    });

    it('is swapped for another step’s, returns MANIFEST_DIGEST_MISMATCH', async () => {
      const model = await copyModel('swapped');
      const other = outputManifest(statements.quantize);
      await cp(manifestPath(model, other), manifestPath(model, sha()));
      const result = await verify(model);
      expect(result.verified).toBe(false);
      expect(errors(result.findings)[0]).toMatchObject({
        code: 'MANIFEST_DIGEST_MISMATCH',
        expected: sha(),
        actual: other,
      });
    });
  });

  it('returns MANIFEST_MALFORMED for a signed manifest that does not parse', async () => {
    const model = await copyModel('malformed');
    const bad = Buffer.from('{"files":[{"name":"../x"}]}');
    const sha = await ManifestStore.forModel(join(fx.dir, model)).add(bad);
    const statement = buildStepStatement({
      kind: 'repackage',
      outputs: [{ name: 'README.md', sha256: 'a'.repeat(64) }],
      outputsManifest: sha,
      inputs: [{ name: 'README.md', sha256: 'b'.repeat(64) }],
      parameters: PARAMETERS.repackage ?? {},
      builderId: 'https://ci.example.com/test',
    });
    const signer = await signerFor(WHO.releaser);
    const payload = Buffer.from(JSON.stringify(statement));
    const bundle = await signer.signDsse(payload, PAYLOAD_TYPE);
    const store = AttestationStore.forModel(join(fx.dir, model));
    const id = await store.add(Buffer.from(JSON.stringify(bundle)));
    const result = await verify(model);
    expect(result.verified).toBe(false);
    expect(
      result.findings.find((f) => f.code === 'MANIFEST_MALFORMED'),
    ).toMatchObject({ attestation: id, expected: sha });
  });
});

describe('a chain of listed and manifest statements', () => {
  it('links a small step that lists files to a large one naming a manifest', async () => {
    await fx.write({ 'small-up/ckpt.bin': 'small checkpoint' });
    const listed = await attest('export', 'small-up', 'small-exported', {
      'model.safetensors': 'weights',
      'config.json': '{}',
    });
    const named = await attest('quantize', 'small-exported', 'small-model', {
      'model.safetensors': 'int8',
      ...shards(600, 'extra'),
    });
    expect(outputManifest(listed)).toBe('');
    expect(outputManifest(named)).not.toBe('');

    const roots = [await digestOf(fx, 'small-up/ckpt.bin')];
    const result = await verifyChain({
      modelPath: join(fx.dir, 'small-model'),
      policy: fx.policy(roots, {
        repackage: { signers: [{ issuer: 'x', identity: 'x' }] },
      }),
      trustedRoot: loadTrustedRoot(fx.standIn.trustedRoot),
    });
    expect(errors(result.findings)).toEqual([]);
    expect(result.steps.map((s) => s.kind)).toEqual(['export', 'quantize']);
    expect(result.steps[1]?.inputs.map((i) => i.from.kind)).toEqual([
      'step',
      'step',
    ]);
  });
});

describe('#loadChain without a manifest source', () => {
  it('returns MANIFEST_MISSING for each step, never a manifest as a file', async () => {
    const entries = await AttestationStore.forModel(
      join(fx.dir, 'model'),
    ).list();
    const root = loadTrustedRoot(fx.standIn.trustedRoot);
    const loaded = await loadChain(entries, root, policy);
    expect(loaded.nodes).toEqual([]);
    expect(loaded.findings.map((f) => f.code)).toEqual(
      entries.map(() => 'MANIFEST_MISSING'),
    );
  });
});

describe('#loadChain when the policy trusts no signer of the chain', () => {
  it('reads no manifest: each step is SIGNER_NOT_ALLOWED, none MANIFEST_MISSING', async () => {
    const entries = await AttestationStore.forModel(
      join(fx.dir, 'model'),
    ).list();
    const root = loadTrustedRoot(fx.standIn.trustedRoot);
    const read: string[] = [];
    const spy = {
      read: (sha256: string) => {
        read.push(sha256);
        return Promise.resolve(undefined);
      },
    };
    const strangers: Policy = {
      ...policy,
      steps: Object.fromEntries(
        Object.entries(policy.steps).map(([kind, rule]) => [
          kind,
          {
            ...rule,
            signers: [{ issuer: fx.standIn.issuer, identity: 'x@example.org' }],
          },
        ]),
      ),
    };
    const loaded = await loadChain(entries, root, strangers, spy);
    expect(read).toEqual([]);
    expect(loaded.findings.map((f) => f.code)).toEqual(
      entries.map(() => 'SIGNER_NOT_ALLOWED'),
    );
  });
});
