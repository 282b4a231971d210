/**
 * exportChain round trip: a chain signed through the stand-in, exported,
 * read back as a page would and verified with the core.
 */
import {
  mkdir,
  readdir,
  readFile,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join, relative } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { attestStep } from '../../src/attest/attest-step.js';
import { verifyChain } from '../../src/chain/verify-chain.js';
import { verifyChainInMemory } from '../../src/core/index.js';
import { exportChain } from '../../src/export/export-chain.js';
import { AttestationStore } from '../../src/store/store.js';
import { WHO, digestOf } from '../chain/fixture.js';
import { changedDigest, signChain, type SignedChain } from '../core/chain.js';
import { loadExport } from './load.js';

let chain: SignedChain;
let dir: string;
let policyPath: string;
let trustedRootPath: string;
let out: string;

beforeAll(async () => {
  chain = await signChain();
  dir = chain.fx.dir;
  policyPath = join(dir, 'policy.yaml');
  const policy: unknown = JSON.parse(JSON.stringify(chain.inputs.policy));
  await writeFile(policyPath, stringify(policy));
  trustedRootPath = join(dir, 'trusted_root.json');
  await writeFile(trustedRootPath, JSON.stringify(chain.inputs.trustedRoot));
  out = join(dir, 'site', 'model');
  await exportChain({
    modelPath: chain.modelDir,
    outDir: out,
    policyPath,
    trustedRootPath,
  });
});
afterAll(async () => chain.fx.close());

const errorCodes = (r: { findings: { code: string; severity: string }[] }) =>
  r.findings.filter((f) => f.severity === 'error').map((f) => f.code);

/** Exports the chain to a new folder with `extra` options. */
const exportTo = (sub: string, extra = {}) =>
  exportChain({
    modelPath: chain.modelDir,
    outDir: join(dir, sub),
    policyPath,
    trustedRootPath,
    ...extra,
  });

describe('#exportChain', () => {
  describe('when the model holds a chain', () => {
    it('writes what verifyChainInMemory verifies, as verifyChain does', async () => {
      const { options } = await loadExport(out);
      const inMemory = await verifyChainInMemory(options);
      expect(errorCodes(inMemory)).toEqual([]);
      expect(inMemory.verified).toBe(true);
      expect(inMemory.steps.map((s) => s.kind)).toEqual([
        'export',
        'quantize',
        'repackage',
      ]);
      const onDisk = await verifyChain({
        modelPath: chain.modelDir,
        policy: chain.inputs.policy,
        trustedRoot: options.trustedRoot,
      });
      expect(inMemory).toEqual({
        ...onDisk,
        model: { ...onDisk.model, path: 'model' },
      });
    });

    it("writes the store's bundles unchanged and the digests verify hashes", async () => {
      const { index } = await loadExport(out);
      expect(index.model).toBe('model');
      expect(index.files).toEqual(chain.inputs.files);
      const stored = await AttestationStore.forModel(chain.modelDir).list();
      const exported = await Promise.all(
        index.bundles.map((b) => readFile(join(out, b))),
      );
      expect(exported).toEqual(stored.map((s) => s.bytes));
      expect(index.bundles).toEqual(
        stored.map((s) => `bundles/${s.id}.sigstore.json`),
      );
      expect((await readdir(out)).sort()).toEqual([
        'bundles',
        'policy.json',
        'provenance.json',
        'trusted_root.json',
      ]);
    });

    it('writes the trusted root byte for byte', async () => {
      expect(await readFile(join(out, 'trusted_root.json'))).toEqual(
        await readFile(trustedRootPath),
      );
    });
  });

  describe('when one byte of the export is changed', () => {
    it('returns FILE_MODIFIED for a changed digest in the files map', async () => {
      const { options, index } = await loadExport(out);
      const was = index.files['model.safetensors'] ?? '';
      const files = { ...index.files, 'model.safetensors': changedDigest(was) };
      const result = await verifyChainInMemory({ ...options, files });
      expect(result.verified).toBe(false);
      expect(errorCodes(result)).toEqual(['FILE_MODIFIED']);
    });

    it('returns ATTESTATION_UNVERIFIED for a changed byte of a bundle', async () => {
      const { options } = await loadExport(out);
      const [first, ...rest] = options.bundles as Uint8Array[];
      const bytes = Buffer.from(first ?? []);
      // A character in the middle of the base64 signature.
      const sig = /"sig":\s*"/.exec(bytes.toString('latin1'));
      if (sig === null) throw new Error('expected a DSSE signature');
      const at = sig.index + sig[0].length + 20;
      bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
      const result = await verifyChainInMemory({
        ...options,
        bundles: [bytes, ...rest],
      });
      expect(result.verified).toBe(false);
      expect(errorCodes(result)).toContain('ATTESTATION_UNVERIFIED');
      expect(errorCodes(result)).not.toContain('ATTESTATION_MALFORMED');
    });
  });

  describe('when the output folder is in the way', () => {
    it('refuses a folder that holds files and leaves it as it was', async () => {
      await mkdir(join(dir, 'busy'));
      await writeFile(join(dir, 'busy', 'page.html'), 'mine');
      await expect(exportTo('busy')).rejects.toMatchObject({
        name: 'ExportError',
        code: 'EXPORT_OUTPUT_NOT_EMPTY',
      });
      expect(await readdir(join(dir, 'busy'))).toEqual(['page.html']);
    });

    it('with force, refuses a folder that holds no earlier export', async () => {
      await mkdir(join(dir, 'busy2'));
      await writeFile(join(dir, 'busy2', 'page.html'), 'mine');
      await expect(exportTo('busy2', { force: true })).rejects.toMatchObject({
        code: 'EXPORT_OUTPUT_NOT_EMPTY',
      });
      expect(await readdir(join(dir, 'busy2'))).toEqual(['page.html']);
    });

    it('with force, replaces an earlier export whole', async () => {
      await exportTo('again');
      const stale = join('bundles', `${'0'.repeat(64)}.sigstore.json`);
      await writeFile(join(dir, 'again', stale), '{}');
      await exportTo('again', { force: true });
      const bundles = await readdir(join(dir, 'again', 'bundles'));
      expect(bundles).not.toContain(`${'0'.repeat(64)}.sigstore.json`);
      expect(await readdir(join(dir, 'again'))).toContain('provenance.json');
      const { options } = await loadExport(join(dir, 'again'));
      expect((await verifyChainInMemory(options)).verified).toBe(true);
    });

    it.each([
      ['a file an export does not write', 'notes.txt', 'keep me'],
      // Another tool's provenance.json (say, SLSA) is not an export.
      ['a provenance.json of another format', 'provenance.json', '{}'],
    ])('with force, keeps a folder holding %s', async (_, name, text) => {
      const out = join(dir, `other-${name}`);
      if (name === 'notes.txt') await exportTo(`other-${name}`);
      else await mkdir(out);
      await writeFile(join(out, name), text);
      const before = (await readdir(out)).sort();
      await expect(
        exportTo(`other-${name}`, { force: true }),
      ).rejects.toMatchObject({ code: 'EXPORT_OUTPUT_NOT_EMPTY' });
      expect((await readdir(out)).sort()).toEqual(before);
      expect(await readFile(join(out, name), 'utf8')).toBe(text);
    });

    it('refuses the model reached through a link, even with force', async () => {
      await symlink(dir, join(dir, 'alias'));
      const through = join('alias', relative(dir, chain.modelDir));
      await expect(exportTo(through, { force: true })).rejects.toMatchObject({
        code: 'EXPORT_OUTPUT_UNUSABLE',
      });
      expect(await readdir(chain.modelDir)).not.toHaveLength(0);
    });

    it('writes a folder others can read, for a web server', async () => {
      await exportTo('readable');
      const mode = (await stat(join(dir, 'readable'))).mode & 0o777;
      expect(mode & 0o055).toBe(0o055);
    });

    it('writes into an empty folder', async () => {
      await mkdir(join(dir, 'empty'));
      const { written } = await exportTo('empty');
      expect(written).toContain('provenance.json');
      expect(await readdir(join(dir, 'empty'))).toContain('provenance.json');
    });

    it.each([
      ['inside the model', join('model', 'site')],
      ['holding the model', '.'],
    ])('refuses a folder %s, even with force', async (_, sub) => {
      await expect(exportTo(sub, { force: true })).rejects.toMatchObject({
        code: 'EXPORT_OUTPUT_UNUSABLE',
      });
      expect(await readdir(chain.modelDir)).not.toContain('site');
    });

    it('refuses a file', async () => {
      await writeFile(join(dir, 'a-file'), 'x');
      await expect(exportTo('a-file')).rejects.toMatchObject({
        code: 'EXPORT_OUTPUT_UNUSABLE',
      });
    });
  });

  describe('when an input is bad', () => {
    it('writes nothing, not even a temporary folder, for an invalid policy', async () => {
      const bad = join(dir, 'bad-policy.yaml');
      await writeFile(bad, 'version: 2\nsteps: {}\n');
      await mkdir(join(dir, 'fresh'));
      const before = await readdir(join(dir, 'fresh'));
      await expect(
        exportChain({
          modelPath: chain.modelDir,
          outDir: join(dir, 'fresh', 'out'),
          policyPath: bad,
        }),
      ).rejects.toMatchObject({ name: 'PolicyError', code: 'POLICY_INVALID' });
      expect(await readdir(join(dir, 'fresh'))).toEqual(before);
    });

    it('refuses a trusted root that does not load', async () => {
      const bad = join(dir, 'bad-root.json');
      await writeFile(bad, '{"mediaType":"x"}');
      await expect(
        exportTo('bad-root-out', { trustedRootPath: bad }),
      ).rejects.toMatchObject({ code: 'VERIFY_TRUSTED_ROOT_INVALID' });
      expect(await readdir(dir)).not.toContain('bad-root-out');
    });

    it('refuses a trusted root it cannot read: EXPORT_INPUT_UNREADABLE', async () => {
      await expect(
        exportTo('no-root-out', { trustedRootPath: join(dir, 'absent.json') }),
      ).rejects.toMatchObject({ code: 'EXPORT_INPUT_UNREADABLE' });
    });

    it('refuses an empty store: EXPORT_NO_ATTESTATION', async () => {
      await expect(
        exportTo('no-store-out', {
          store: new AttestationStore(join(dir, 'no-store')),
        }),
      ).rejects.toMatchObject({ code: 'EXPORT_NO_ATTESTATION' });
      expect(await readdir(dir)).not.toContain('no-store-out');
    });
  });

  describe('when a step names its files by manifest', () => {
    it('writes the manifests, and the core finds them', async () => {
      const { fx } = chain;
      await fx.write({
        'big-up/weights.bin': 'weights',
        'big/model.safetensors': 'packed',
      });
      await attestStep({
        kind: 'repackage',
        inputs: [{ path: join(dir, 'big-up') }],
        output: join(dir, 'big'),
        parameters: { format: 'folder', targetRuntime: 'onnxruntime' },
        builderId: 'https://ci.example.com/test',
        manifestSubject: 'always',
        signer: await fx.signer(WHO.releaser),
      });
      const policy = {
        version: 1,
        steps: {
          repackage: {
            signers: [{ issuer: fx.standIn.issuer, identity: WHO.releaser }],
          },
        },
        roots: [{ sha256: await digestOf(fx, 'big-up/weights.bin') }],
      };
      const bigPolicy = join(dir, 'big-policy.json');
      await writeFile(bigPolicy, JSON.stringify(policy));
      await exportChain({
        modelPath: join(dir, 'big'),
        outDir: join(dir, 'big-out'),
        policyPath: bigPolicy,
        trustedRootPath,
      });

      const { index, options } = await loadExport(join(dir, 'big-out'));
      expect(index.manifests.length).toBeGreaterThan(0);
      for (const name of index.manifests) {
        expect(name).toMatch(/^manifests\/sha256-[0-9a-f]{64}\.json$/);
      }
      const result = await verifyChainInMemory(options);
      expect(errorCodes(result)).toEqual([]);
      expect(result.verified).toBe(true);
      const without = await verifyChainInMemory({ ...options, manifests: [] });
      expect(errorCodes(without)).toContain('MANIFEST_MISSING');
    });
  });
});
