import { mkdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

import { digestModel, type Manifest } from '../digest/index.js';
import { namedEntries } from '../digest/named.js';
import type { Signer } from '../signing/index.js';
import { PAYLOAD_TYPE, type Statement } from '../statement/index.js';
import type { Artifact, StepDescription, StepKind } from '../steps/index.js';
import { signModel } from '../interop/index.js';
import { writeFileAtomic } from '../store/atomic.js';
import { ManifestStore } from '../store/manifests.js';
import { AttestationStore } from '../store/store.js';
import { carryForward } from './carry.js';
import { buildLeanStatement, type ManifestSubjectMode } from './lean.js';

/** One input of a step: a file or a folder, with an optional role. */
export interface StepInput {
  path: string;
  /** What the input is to the step, e.g. `base` or `adapter`. */
  role?: string;
}

/** What to attest: one packaging step, from inputs to outputs. */
export interface AttestStepOptions {
  kind: StepKind;
  inputs: StepInput[];
  /** The folder (or single file) that the step produced. */
  output: string;
  /** What the step was asked to do (its `externalParameters`). */
  parameters: Record<string, unknown>;
  /** URI of the pipeline that ran the step. */
  builderId: string;
  invocationId?: string;
  startedOn?: Date;
  finishedOn?: Date;
  /** Tools the step used (quantizer, conversion script): recorded, not links. */
  tools?: { path: string; uri?: string }[];
  signer: Signer;
  /** Where to keep the attestation; defaults to the output folder's store. */
  store?: AttestationStore;
  /**
   * Also sign the output in the OpenSSF Model Signing format, with the same
   * signer, and write that model.sig here (for example
   * `OUTPUT/.mprov/model.sig`, which hashing ignores). Its subject is the
   * same digest as this step's bundle subject.
   */
  omsSignature?: string;
  /**
   * Copy the attestations found in the inputs' stores into this step's
   * store, so that the whole chain travels with the model. Default true.
   */
  carry?: boolean;
  /**
   * Whether the statement names a manifest (kept in the store) instead of
   * listing every file: `auto` (default) when listing would make the DSSE
   * envelope larger than `manifestSubjectAbove` bytes, `always`, `never`.
   */
  manifestSubject?: ManifestSubjectMode;
  /** The envelope byte budget of `auto`; default 64 KiB. */
  manifestSubjectAbove?: number;
}

/** What attesting a step produced. */
export interface AttestedStep {
  /** Store id of the new attestation. */
  id: string;
  statement: Statement;
  /** The Sigstore bundle, as JSON. */
  bundle: unknown;
}

/**
 * Hashes a step's inputs and outputs, builds its statement, signs it and
 * adds the attestation to the store beside the outputs.
 *
 * @throws DigestError, SigningError, StatementError or StoreError.
 * @example
 * ```ts
 * await attestStep({
 *   kind: 'quantize', inputs: [{ path: 'exported' }], output: 'quantized',
 *   parameters: { scheme: 'int8', bits: 8 },
 *   builderId: 'https://ci.example.com/quantize', signer,
 * });
 * ```
 */
export async function attestStep(
  options: AttestStepOptions,
): Promise<AttestedStep> {
  const { description, outputs } = await describeStep(options);
  const { statement, manifests } = buildLeanStatement(
    description,
    options.manifestSubject,
    options.manifestSubjectAbove,
  );

  // The store is made ready first, so a bad store never costs a signature.
  const store =
    options.store ?? (await AttestationStore.forPath(options.output));
  await store.prepare();
  if (options.carry !== false) {
    await carryForward(
      options.inputs.map((i) => i.path),
      store,
    );
  }
  const manifestStore = ManifestStore.beside(store);
  for (const bytes of manifests) await manifestStore.add(bytes);
  const payload = Buffer.from(JSON.stringify(statement), 'utf8');
  const bundle = await options.signer.signDsse(payload, PAYLOAD_TYPE);
  const id = await store.add(Buffer.from(JSON.stringify(bundle), 'utf8'));
  if (options.omsSignature !== undefined) {
    await writeOmsSignature(options, options.omsSignature, outputs);
  }
  return { id, statement, bundle };
}

/**
 * Hashes the step's files into the description its statement is built
 * from; also returns the outputs' manifest.
 */
async function describeStep(
  options: AttestStepOptions,
): Promise<{ description: StepDescription; outputs: Manifest }> {
  const inputs = await hashFiles(options.inputs, (input) =>
    input.role === undefined ? {} : { role: input.role },
  );
  const outputs = await digestModel(options.output);
  const tools = await hashFiles(options.tools ?? [], (tool) =>
    tool.uri === undefined ? {} : { uri: tool.uri },
  );
  const description = {
    kind: options.kind,
    outputs: namedEntries(options.output, outputs),
    bundle: { name: basename(options.output), rootDigest: outputs.rootDigest },
    inputs,
    parameters: options.parameters,
    tools,
    builderId: options.builderId,
    ...optionalTimes(options),
  };
  return { description, outputs };
}

/** Hashes files or folders into named artifacts, each with its extras. */
async function hashFiles<T extends { path: string }, X extends object>(
  items: readonly T[],
  extras: (item: T) => X,
): Promise<(Artifact & X)[]> {
  const hashed = await Promise.all(
    items.map(async (item) => {
      const manifest = await digestModel(item.path);
      return namedEntries(item.path, manifest).map((e) => ({
        ...e,
        ...extras(item),
      }));
    }),
  );
  return hashed.flat();
}

function optionalTimes(options: AttestStepOptions) {
  return {
    ...(options.invocationId ? { invocationId: options.invocationId } : {}),
    ...(options.startedOn
      ? { startedOn: options.startedOn.toISOString() }
      : {}),
    ...(options.finishedOn
      ? { finishedOn: options.finishedOn.toISOString() }
      : {}),
  };
}

/**
 * Signs the outputs as OpenSSF Model Signing does, over the digests the
 * statement names: the files are not read again, and the two signatures
 * describe one state of them.
 */
async function writeOmsSignature(
  options: AttestStepOptions,
  path: string,
  outputs: Manifest,
): Promise<void> {
  const { bundle } = await signModel(
    options.output,
    { kind: 'sigstore', signer: options.signer },
    { signaturePath: path, alreadyHashed: outputs.entries },
  );
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, JSON.stringify(bundle, null, 2) + '\n');
}
