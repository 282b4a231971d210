/**
 * The valid chains that the mutation suite starts from, signed once
 * through the local Sigstore stand-in: two releases of one model (three
 * steps each, the policy pinning each release) and a one-step model with
 * a subfolder. Also bundles signed by the wrong people, to swap in.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { digestModel, type Manifest } from '../../src/digest/index.js';
import { validatePolicy, type Policy } from '../../src/policy/policy.js';
import {
  ID,
  PARAMS,
  startLab,
  statement,
  type Desc,
  type Lab,
} from '../adversarial/helpers.js';

/** Files of a model: POSIX path to content. */
export type FileMap = Map<string, Buffer>;

/** One valid chain: its model folder, files, store entries and policy. */
export interface Chain {
  name: string;
  /** The model folder on disk: `files`, and `entries` in its store. */
  dir: string;
  files: FileMap;
  /** Every attestation of the chain, as the bytes stored. */
  entries: Buffer[];
  policy: Policy;
  /** The digests of `files`, to skip hashing when they are unchanged. */
  manifest: Manifest;
}

/** The chains, and bundles a wrong signer made of their statements. */
export interface Corpus {
  lab: Lab;
  chains: Chain[];
  /** Signed by an identity that the policy does not allow for the step. */
  forged: Buffer[];
}

const files = (entries: Record<string, Buffer>): FileMap =>
  new Map(Object.entries(entries));

/** `n` bytes that look random but are the same in every run. */
function blob(n: number, label: string): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i * 32 < n; i++) {
    parts.push(createHash('sha256').update(`${label}/${i}`).digest());
  }
  return Buffer.concat(parts).subarray(0, n);
}

const descsOf = (m: FileMap): Desc[] =>
  [...m].map(([name, bytes]) => ({
    name,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  }));

interface Step {
  identity: string;
  kind: string;
  inputs: Desc[];
  outputs: Desc[];
  parameters?: Record<string, unknown>;
}

/** The wrong signers of a step: an outsider, and an insider of another. */
const WRONG: Record<string, string[]> = {
  export: [ID.mallory, ID.releaser],
  quantize: [ID.mallory, ID.exporter],
  repackage: [ID.mallory, ID.quantizer],
};

async function signSteps(
  lab: Lab,
  steps: Step[],
): Promise<{ entries: Buffer[]; forged: Buffer[] }> {
  const entries: Buffer[] = [];
  const forged: Buffer[] = [];
  for (const step of steps) {
    const payload = statement(step);
    entries.push(
      Buffer.from(JSON.stringify(await lab.sign(step.identity, payload))),
    );
    for (const who of WRONG[step.kind] ?? []) {
      forged.push(Buffer.from(JSON.stringify(await lab.sign(who, payload))));
    }
  }
  return { entries, forged };
}

async function writeModel(lab: Lab, name: string, m: FileMap): Promise<void> {
  for (const [rel, bytes] of m) {
    const path = lab.path(join(name, rel));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  }
}

const rule = (
  lab: Lab,
  identity: string,
  after: string[],
): Record<string, unknown> => ({
  signers: [{ issuer: lab.standIn.issuer, identity }],
  required: true,
  after,
});

/** A three-step release: export, quantize, repackage; release pinned. */
async function release(lab: Lab, name: string, version: string) {
  const upstream = files({ 'weights.bin': Buffer.from('upstream v1') });
  const exported = files({
    'model.safetensors': blob(3000, `export ${version}`),
    'config.json': Buffer.from(`{"layers":2,"v":"${version}"}`),
  });
  const quantized = files({
    'model.safetensors': blob(800, `quantize ${version}`),
    'config.json': Buffer.from(`{"layers":2,"bits":8,"v":"${version}"}`),
  });
  const released = new Map([
    ...quantized,
    ['README.md', Buffer.from(`# card ${version}`)],
  ]);
  const signed = await signSteps(lab, [
    {
      identity: ID.exporter,
      kind: 'export',
      inputs: descsOf(upstream),
      outputs: descsOf(exported),
    },
    {
      identity: ID.quantizer,
      kind: 'quantize',
      inputs: descsOf(exported),
      outputs: descsOf(quantized),
    },
    {
      identity: ID.releaser,
      kind: 'repackage',
      inputs: descsOf(quantized),
      outputs: descsOf(released),
      parameters: { ...PARAMS.repackage, release: { name: 'fuzz', version } },
    },
  ]);
  await writeModel(lab, name, released);
  for (const entry of signed.entries) await lab.addRaw(name, entry);
  const manifest = await digestModel(lab.path(name));
  const policy = validatePolicy({
    version: 1,
    steps: {
      export: rule(lab, ID.exporter, []),
      quantize: rule(lab, ID.quantizer, ['export']),
      repackage: rule(lab, ID.releaser, ['quantize']),
    },
    final: ['repackage'],
    release: { name: 'fuzz', version, sha256: manifest.rootDigest },
    roots: descsOf(upstream).map((d) => ({ sha256: d.sha256 })),
  });
  return {
    name,
    dir: lab.path(name),
    files: released,
    policy,
    manifest,
    signed,
  };
}

/** One step straight from policy roots, into files in a subfolder. */
async function single(lab: Lab, name: string) {
  const upstream = files({
    'a.bin': Buffer.from('shard a'),
    'b.bin': Buffer.from('shard b'),
  });
  const out = files({
    'weights/part-1.bin': blob(1200, 'part 1'),
    'weights/part-2.bin': blob(900, 'part 2'),
    'tokenizer.json': Buffer.from('{"vocab":["a","b"]}'),
  });
  const signed = await signSteps(lab, [
    {
      identity: ID.releaser,
      kind: 'repackage',
      inputs: descsOf(upstream),
      outputs: descsOf(out),
    },
  ]);
  await writeModel(lab, name, out);
  for (const entry of signed.entries) await lab.addRaw(name, entry);
  const policy = validatePolicy({
    version: 1,
    steps: { repackage: rule(lab, ID.releaser, []) },
    final: ['repackage'],
    roots: descsOf(upstream).map((d) => ({ sha256: d.sha256 })),
  });
  const manifest = await digestModel(lab.path(name));
  return { name, dir: lab.path(name), files: out, policy, manifest, signed };
}

/** Signs the corpus; close `corpus.lab` when done. */
export async function buildCorpus(): Promise<Corpus> {
  const lab = await startLab();
  const built = [
    await release(lab, 'release-1', '1.0.0'),
    await release(lab, 'release-2', '1.0.1'),
    await single(lab, 'single'),
  ];
  const chains = built.map(({ signed, ...c }) => ({
    ...c,
    entries: signed.entries,
  }));
  return { lab, chains, forged: built.flatMap((b) => b.signed.forged) };
}
