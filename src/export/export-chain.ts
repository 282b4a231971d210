import { basename, resolve } from 'node:path';

import { AttestationStore } from '../store/store.js';
import {
  collect,
  EXPORT_FORMAT,
  EXPORT_INDEX_FILE,
  type ExportIndex,
} from './collect.js';
import { checkOutput, writeDirAtomic } from './write-dir.js';

/** What to export, and where to. */
export interface ExportChainOptions {
  /** The model bundle folder (or single file), as for `verifyChain`. */
  modelPath: string;
  /** The folder to write; created, or replaced with `force`. */
  outDir: string;
  /** Defaults to the store inside the model folder. */
  store?: AttestationStore;
  /**
   * A policy file (YAML or JSON), written as `policy.json`; `key:` files
   * it names are read beside it and written as `publicKey:` PEM.
   */
  policyPath?: string;
  /** A `trusted_root.json`, checked and written as given. */
  trustedRootPath?: string;
  /** The index's model name; default the model path's last part. */
  modelName?: string;
  /** Replace `outDir` when it holds an earlier export. Default false. */
  force?: boolean;
}

/** What was written. */
export interface ExportedChain {
  /** The folder, as given. */
  outDir: string;
  /** The content of its `provenance.json`. */
  index: ExportIndex;
  /** Every file written, relative POSIX paths, sorted. */
  written: string[];
}

/**
 * Writes into one folder what `verifyChainInMemory` (from
 * `model-provenance/core`) needs to verify a model's chain where there is
 * no file system: a web page, a worker, a registry's edge function.
 *
 * - `provenance.json`: the model's name, its files' SHA-256 digests (hashed
 *   as `verifyChain` hashes them, so that both agree), and the paths of the
 *   files below;
 * - `bundles/<sha256>.sigstore.json`, `manifests/sha256-<hex>.json`: the
 *   store's entries, bytes unchanged;
 * - `policy.json` when a policy is given: validated, key files inlined;
 * - `trusted_root.json` when one is given: checked, bytes unchanged.
 *
 * Everything is read and checked before anything is written, and the
 * folder appears whole, by one rename, or not at all. A folder that holds
 * files is refused unless `force` is set and it holds an earlier export;
 * a folder that is the model, holds it or is inside it is always refused.
 *
 * It does not verify the chain: run `verifyChain` first.
 *
 * @param options - see {@link ExportChainOptions}.
 * @returns the folder, its index and the files written.
 * @throws ExportError `EXPORT_NO_ATTESTATION` for an empty store,
 *   `EXPORT_INPUT_UNREADABLE` for a trusted root that cannot be read,
 *   `EXPORT_OUTPUT_NOT_EMPTY`, `EXPORT_OUTPUT_UNUSABLE` or
 *   `EXPORT_WRITE_FAILED` for the folder; PolicyError as `loadPolicy`
 *   does; VerifyError `VERIFY_TRUSTED_ROOT_INVALID`; DigestError when the
 *   model cannot be hashed; StoreError when the store cannot be read.
 * @example
 * ```ts
 * await exportChain({
 *   modelPath: 'release',
 *   outDir: 'site/acme-7b',
 *   policyPath: 'policy.yaml',
 *   trustedRootPath: 'trusted_root.json',
 * });
 * // site/acme-7b/provenance.json, bundles/, policy.json, trusted_root.json
 * ```
 */
export async function exportChain(
  options: ExportChainOptions,
): Promise<ExportedChain> {
  const { modelPath, outDir } = options;
  const force = options.force ?? false;

  // Refuse a folder in the way before reading or hashing anything.
  const index = { file: EXPORT_INDEX_FILE, format: EXPORT_FORMAT };
  await checkOutput(outDir, modelPath, index, force);

  const collected = await collect({
    modelPath,
    modelName: options.modelName ?? basename(resolve(modelPath)),
    store: options.store ?? (await AttestationStore.forPath(modelPath)),
    policyPath: options.policyPath,
    trustedRootPath: options.trustedRootPath,
  });

  // Again: the folder may have changed while the model was hashed.
  const state = await checkOutput(outDir, modelPath, index, force);
  await writeDirAtomic(outDir, collected.files, state, index);
  return {
    outDir,
    index: collected.index,
    written: [...collected.files.keys()].sort(),
  };
}
