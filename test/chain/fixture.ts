import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { attestStep, type StepInput } from '../../src/attest/attest-step.js';
import { sha256File } from '../../src/digest/index.js';
import { validatePolicy, type Policy } from '../../src/policy/policy.js';
import { keylessSigner, type Signer } from '../../src/signing/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';

/** Identities used by the chain tests. */
export const WHO = {
  exporter: 'exporter@example.com',
  quantizer: 'https://ci.example.com/acme/quantize.yml@refs/heads/main',
  releaser: 'releaser@example.com',
  intruder: 'mallory@example.net',
};

const PARAMETERS: Record<string, Record<string, unknown>> = {
  export: { sourceFormat: 'tfjs-layers', targetFormat: 'safetensors' },
  quantize: { scheme: 'int8-symmetric-per-tensor', bits: 8 },
  repackage: { format: 'safetensors-bundle', targetRuntime: 'onnxruntime' },
};

/** A stand-in, a temp folder and helpers to lay out a small pipeline. */
export interface ChainFixture {
  standIn: StandIn;
  dir: string;
  /** Writes files (path -> content) under `dir`. */
  write(files: Record<string, string>): Promise<void>;
  /** Writes `files` into `output`, then attests the step as `identity`. */
  attest(
    identity: string,
    kind: string,
    inputs: StepInput[],
    output: string,
    files?: Record<string, string>,
  ): Promise<string>;
  /** A keyless signer for `identity`, through the stand-in. */
  signer(identity: string): Promise<Signer>;
  /** A policy allowing the three teams, with the given roots. */
  policy(roots: string[], extra?: Record<string, unknown>): Policy;
  close(): Promise<void>;
}

/** Starts a fixture; close it in afterAll. */
export async function chainFixture(): Promise<ChainFixture> {
  const standIn = await startStandIn();
  const dir = await mkdtemp(join(tmpdir(), 'mprov-chain-'));
  const p = (rel: string) => join(dir, rel);
  const signerFor = async (identity: string) =>
    keylessSigner({
      fulcioURL: standIn.fulcioURL,
      rekorURL: standIn.rekorURL,
      tsaServerURL: standIn.tsaURL,
      identityToken: await standIn.mintToken(identity),
    });
  return {
    standIn,
    dir,
    signer: signerFor,
    async write(files) {
      for (const [rel, content] of Object.entries(files)) {
        await mkdir(dirname(p(rel)), { recursive: true });
        await writeFile(p(rel), content);
      }
    },
    async attest(identity, kind, inputs, output, files = {}) {
      for (const [rel, content] of Object.entries(files)) {
        await mkdir(dirname(p(join(output, rel))), { recursive: true });
        await writeFile(p(join(output, rel)), content);
      }
      const signer = await signerFor(identity);
      const attested = await attestStep({
        kind,
        inputs: inputs.map((i) => ({ ...i, path: p(i.path) })),
        output: p(output),
        parameters: PARAMETERS[kind] ?? {},
        builderId: 'https://ci.example.com/test',
        signer,
      });
      return attested.id;
    },
    policy(roots, extra = {}) {
      const rule = (identity: string) => ({
        signers: [{ issuer: standIn.issuer, identity }],
        required: true,
      });
      return validatePolicy({
        version: 1,
        steps: {
          export: rule(WHO.exporter),
          quantize: rule(WHO.quantizer),
          repackage: rule(WHO.releaser),
          ...extra,
        },
        roots: roots.map((sha256) => ({ sha256 })),
      });
    },
    async close() {
      await standIn.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** SHA-256 of a file under the fixture folder. */
export function digestOf(fixture: ChainFixture, rel: string): Promise<string> {
  return sha256File(join(fixture.dir, rel));
}
