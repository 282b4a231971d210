import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import type { Finding } from '../../src/chain/findings.js';
import { verifyChain } from '../../src/chain/verify-chain.js';
import type { ChainResult } from '../../src/chain/result.js';
import { validatePolicy, type Policy } from '../../src/policy/policy.js';
import { keylessSigner } from '../../src/signing/index.js';
import {
  PAYLOAD_TYPE,
  SLSA_PROVENANCE_V1,
  STATEMENT_TYPE,
} from '../../src/statement/index.js';
import { AttestationStore } from '../../src/store/store.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';
import {
  loadTrustedRoot,
  type TrustedRootHandle,
} from '../../src/verify/index.js';

/** Identities of the adversarial tests. */
export const ID = {
  exporter: 'exporter@example.com',
  quantizer: 'quantizer@example.com',
  releaser: 'releaser@example.com',
  mallory: 'mallory@example.net',
};

/** Valid parameters per built-in kind. */
export const PARAMS: Record<string, Record<string, unknown>> = {
  export: { sourceFormat: 'tfjs-layers', targetFormat: 'safetensors' },
  quantize: { scheme: 'int8', bits: 8 },
  repackage: { format: 'bundle', targetRuntime: 'onnxruntime' },
};

export const sha = (s: string | Buffer): string =>
  createHash('sha256').update(s).digest('hex');

/** A descriptor as a statement carries it. */
export interface Desc {
  name: string;
  sha256: string;
  annotations?: Record<string, unknown>;
}

/** Content of files, for convenience: name -> content. */
export type Files = Record<string, string>;

export const descs = (files: Files): Desc[] =>
  Object.entries(files).map(([name, content]) => ({
    name,
    sha256: sha(content),
  }));

const rd = (d: Desc) => ({
  name: d.name,
  digest: { sha256: d.sha256 },
  ...(d.annotations ? { annotations: d.annotations } : {}),
});

/** A raw step statement object, with full control over every field. */
export function statement(opts: {
  kind: string;
  outputs: Desc[];
  inputs: Desc[];
  parameters?: Record<string, unknown>;
  buildType?: string;
}): Record<string, unknown> {
  return {
    _type: STATEMENT_TYPE,
    subject: opts.outputs.map(rd),
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType:
          opts.buildType ??
          `https://model-provenance.dev/build-types/${opts.kind}/v1`,
        externalParameters:
          opts.parameters ??
          (Object.hasOwn(PARAMS, opts.kind) ? PARAMS[opts.kind] : {}),
        resolvedDependencies: opts.inputs.map(rd),
      },
      runDetails: { builder: { id: 'https://ci.example.com/adversary' } },
    },
  };
}

/** A stand-in plus a temp folder with helpers to sign and verify. */
export interface Lab {
  standIn: StandIn;
  dir: string;
  root: TrustedRootHandle;
  /** Signs raw payload bytes (or an object, as JSON) as `identity`. */
  sign(
    identity: string,
    payload: Buffer | Record<string, unknown>,
    opts?: { payloadType?: string; issuer?: string },
  ): Promise<unknown>;
  /** Signs and adds the bundle to `<model>/.mprov`; returns the store id. */
  attest(
    model: string,
    identity: string,
    payload: Buffer | Record<string, unknown>,
    opts?: { payloadType?: string; issuer?: string },
  ): Promise<string>;
  /** Writes files under `<dir>/<model>/`. */
  write(model: string, files: Files): Promise<void>;
  /** Writes raw bytes as a store entry of `<model>`. */
  addRaw(model: string, bytes: Buffer | string): Promise<string>;
  policy(roots?: string[], extra?: Record<string, unknown>): Policy;
  verify(model: string, policy: Policy): Promise<ChainResult>;
  path(rel: string): string;
  close(): Promise<void>;
}

export async function startLab(): Promise<Lab> {
  const standIn = await startStandIn();
  const dir = await mkdtemp(join(tmpdir(), 'mprov-adv-'));
  const root = loadTrustedRoot(standIn.trustedRoot);
  const lab: Lab = {
    standIn,
    dir,
    root,
    async sign(identity, payload, opts = {}) {
      const token =
        opts.issuer === undefined
          ? await standIn.mintToken(identity)
          : await standIn.mintToken(identity, { issuer: opts.issuer });
      const signer = keylessSigner({
        fulcioURL: standIn.fulcioURL,
        rekorURL: standIn.rekorURL,
        tsaServerURL: standIn.tsaURL,
        identityToken: token,
      });
      const bytes = Buffer.isBuffer(payload)
        ? payload
        : Buffer.from(JSON.stringify(payload), 'utf8');
      return signer.signDsse(bytes, opts.payloadType ?? PAYLOAD_TYPE);
    },
    async attest(model, identity, payload, opts) {
      const bundle = await lab.sign(identity, payload, opts);
      return lab.addRaw(model, JSON.stringify(bundle));
    },
    async write(model, files) {
      for (const [rel, content] of Object.entries(files)) {
        const p = join(dir, model, rel);
        await mkdir(dirname(p), { recursive: true });
        await writeFile(p, content);
      }
    },
    async addRaw(model, bytes) {
      const store = AttestationStore.forModel(join(dir, model));
      return store.add(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
    },
    policy(roots = [], extra = {}) {
      const rule = (identity: string) => ({
        signers: [{ issuer: standIn.issuer, identity }],
        required: true,
      });
      return validatePolicy({
        version: 1,
        steps: {
          export: rule(ID.exporter),
          quantize: rule(ID.quantizer),
          repackage: rule(ID.releaser),
          ...extra,
        },
        roots: roots.map((sha256) => ({ sha256 })),
      });
    },
    verify(model, policy) {
      return verifyChain({
        modelPath: join(dir, model),
        policy,
        trustedRoot: root,
      });
    },
    path: (rel) => join(dir, rel),
    async close() {
      await standIn.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return lab;
}

/** Error codes among the findings. */
export const errors = (findings: readonly Finding[]): string[] =>
  findings.filter((f) => f.severity === 'error').map((f) => f.code);

/**
 * A legitimate three-step chain: root -> export -> quantize -> repackage,
 * each signed by its allowed identity, written into `<model>`.
 */
export const UPSTREAM: Files = { 'weights.bin': 'float32 weights v1' };
export const EXPORTED: Files = {
  'model.safetensors': 'exported weights v1',
  'config.json': '{"layers":2}',
};
export const QUANTIZED: Files = {
  'model.safetensors': 'int8 weights v1',
  'config.json': '{"layers":2,"bits":8}',
};
export const RELEASED: Files = { ...QUANTIZED, 'README.md': '# card v1' };

export async function legitChain(
  lab: Lab,
  model: string,
  files: { exported?: Files; quantized?: Files; released?: Files } = {},
): Promise<{ exportId: string; quantizeId: string; repackageId: string }> {
  const exported = files.exported ?? EXPORTED;
  const quantized = files.quantized ?? QUANTIZED;
  const released = files.released ?? RELEASED;
  const exportId = await lab.attest(
    model,
    ID.exporter,
    statement({
      kind: 'export',
      inputs: descs(UPSTREAM),
      outputs: descs(exported),
    }),
  );
  const quantizeId = await lab.attest(
    model,
    ID.quantizer,
    statement({
      kind: 'quantize',
      inputs: descs(exported),
      outputs: descs(quantized),
    }),
  );
  const repackageId = await lab.attest(
    model,
    ID.releaser,
    statement({
      kind: 'repackage',
      inputs: descs(quantized),
      outputs: descs(released),
    }),
  );
  await lab.write(model, released);
  return { exportId, quantizeId, repackageId };
}

/** The upstream root digests of {@link UPSTREAM}. */
export const ROOTS = descs(UPSTREAM).map((d) => d.sha256);
