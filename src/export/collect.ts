import { digestModel } from '../digest/index.js';
import { namedEntries } from '../digest/named.js';
import { ExportError, VerifyError } from '../errors.js';
import { readFileBounded } from '../io/bounded-read.js';
import { parseStrictJsonBytes } from '../json/strict.js';
import { loadPolicy } from '../policy/load.js';
import { validatePolicy } from '../policy/policy.js';
import { sha256Hex } from '../store/content-address.js';
import { ManifestStore } from '../store/manifests.js';
import type { AttestationStore } from '../store/store.js';
import { loadTrustedRoot } from '../verify/trusted-root.js';

/** The `format` of an export's index, versioned with its shape. */
export const EXPORT_FORMAT = 'https://model-provenance.dev/core-inputs/v1';

/** The index's file name in the exported folder. */
export const EXPORT_INDEX_FILE = 'provenance.json';

const POLICY_FILE = 'policy.json';
const TRUSTED_ROOT_FILE = 'trusted_root.json';

/** A trusted root is a few kilobytes; a larger file is not one. */
const MAX_TRUSTED_ROOT_BYTES = 1024 * 1024;

/**
 * The index of an exported folder: what `verifyChainInMemory` takes, with
 * the other files named by their path relative to the index.
 */
export interface ExportIndex {
  format: typeof EXPORT_FORMAT;
  /** The name to pass as `modelName`. */
  model: string;
  /** The model's files by path, SHA-256 hex: the `files` option. */
  files: Record<string, string>;
  /** The model's root digest (OpenSSF Model Signing), for display. */
  rootDigest: string;
  /** The stored bundles, `bundles/<sha256>.sigstore.json`. */
  bundles: string[];
  /** The stored manifests, `manifests/sha256-<hex>.json`. */
  manifests: string[];
  /** `policy.json`, when a policy was given. */
  policy?: string;
  /** `trusted_root.json`, when a trusted root was given. */
  trustedRoot?: string;
}

/** Where the inputs come from. */
export interface CollectOptions {
  modelPath: string;
  modelName: string;
  store: AttestationStore;
  policyPath?: string | undefined;
  trustedRootPath?: string | undefined;
}

/** The folder's content, path to bytes, with its index. */
export interface Collected {
  index: ExportIndex;
  files: Map<string, string | Uint8Array>;
}

/**
 * Reads and checks everything an export holds, before anything is written:
 * the store's bundles and manifests as stored, the model's file digests
 * hashed as `verifyChain` hashes them, the policy and the trusted root.
 */
export async function collect(options: CollectOptions): Promise<Collected> {
  const files = new Map<string, string | Uint8Array>();
  const bundles = await storedBundles(options.store, files);
  const manifests = await storedManifests(options.store, files);
  const policy = await policyJson(options.policyPath, files);
  const trustedRoot = await trustedRootJson(options.trustedRootPath, files);

  // Last, as it takes longest: the inputs are known good by now.
  const manifest = await digestModel(options.modelPath);
  const named = namedEntries(options.modelPath, manifest);
  const index: ExportIndex = {
    format: EXPORT_FORMAT,
    model: options.modelName,
    files: Object.fromEntries(named.map((f) => [f.name, f.sha256])),
    rootDigest: manifest.rootDigest,
    bundles,
    manifests,
    ...(policy !== undefined && { policy }),
    ...(trustedRoot !== undefined && { trustedRoot }),
  };
  files.set(EXPORT_INDEX_FILE, JSON.stringify(index, null, 2) + '\n');
  return { index, files };
}

async function storedBundles(
  store: AttestationStore,
  files: Map<string, string | Uint8Array>,
): Promise<string[]> {
  const entries = await store.list();
  if (entries.length === 0) {
    throw new ExportError(
      'EXPORT_NO_ATTESTATION',
      `expected attestations in ${store.dir}, found none`,
    );
  }
  return entries.map(({ id, bytes }) => {
    const name = `bundles/${id}.sigstore.json`;
    files.set(name, bytes);
    return name;
  });
}

/**
 * Each manifest named by the digest of its bytes, which is how the core
 * finds it; a file whose name claims another digest is found by neither.
 */
async function storedManifests(
  store: AttestationStore,
  files: Map<string, string | Uint8Array>,
): Promise<string[]> {
  const manifests = ManifestStore.beside(store);
  const names = new Set<string>();
  for (const claimed of await manifests.digests()) {
    const bytes = await manifests.read(claimed);
    if (bytes === undefined) continue;
    const name = `manifests/sha256-${sha256Hex(bytes)}.json`;
    files.set(name, bytes);
    names.add(name);
  }
  return [...names].sort();
}

/**
 * The policy as JSON the core accepts: `key:` files read beside the policy
 * and held as `publicKey:` PEM, then checked the way the core checks it.
 */
async function policyJson(
  path: string | undefined,
  files: Map<string, string | Uint8Array>,
): Promise<string | undefined> {
  if (path === undefined) return undefined;
  const text = JSON.stringify(await loadPolicy(path), null, 2) + '\n';
  validatePolicy(JSON.parse(text));
  files.set(POLICY_FILE, text);
  return POLICY_FILE;
}

const FOUND = {
  missing: 'none',
  'not-file': 'another kind of file',
  link: 'a link',
  unreadable: 'one that cannot be read',
} as const;

/** The trusted root's bytes as given, once they load as a trusted root. */
async function trustedRootJson(
  path: string | undefined,
  files: Map<string, string | Uint8Array>,
): Promise<string | undefined> {
  if (path === undefined) return undefined;
  const read = await readFileBounded(path, MAX_TRUSTED_ROOT_BYTES, {
    followLink: true,
  });
  if (!read.ok && read.problem === 'too-large') {
    throw new VerifyError(
      'VERIFY_TRUSTED_ROOT_INVALID',
      `trusted root ${path}: expected at most ${MAX_TRUSTED_ROOT_BYTES} bytes, found ${read.size} or more`,
    );
  }
  if (!read.ok) {
    throw new ExportError(
      'EXPORT_INPUT_UNREADABLE',
      `cannot read trusted root ${path}: expected a regular file, found ` +
        FOUND[read.problem],
      'cause' in read ? { cause: read.cause } : {},
    );
  }
  const bytes = read.bytes;
  loadTrustedRoot(parseJson(bytes, path));
  files.set(TRUSTED_ROOT_FILE, bytes);
  return TRUSTED_ROOT_FILE;
}

function parseJson(bytes: Buffer, path: string): unknown {
  try {
    return parseStrictJsonBytes(bytes);
  } catch (cause) {
    throw new VerifyError(
      'VERIFY_TRUSTED_ROOT_INVALID',
      `trusted root ${path}: expected JSON`,
      { cause },
    );
  }
}
