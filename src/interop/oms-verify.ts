import { readFile } from 'node:fs/promises';

import {
  combineDigests,
  serializeModel,
  type HashAlgorithm,
  type HashedFile,
  type Resource,
} from '../digest/index.js';
import { InteropError } from '../errors.js';
import { digestsMatch, sha256Set } from '../statement/digest-match.js';
import { parseStatement } from '../statement/index.js';
import { insideModel, readOmsBundle } from './oms-bundle.js';
import {
  verifyOmsSignature,
  type OmsMethod,
  type OmsSigner,
} from './oms-methods.js';
import { readOmsPredicate, type OmsPredicate } from './oms-predicate.js';

/** Files of the model that differ from what the signature covers. */
export interface OmsMismatch {
  /** On disk, not signed. */
  extra: string[];
  /** Signed, not on disk. */
  missing: string[];
  /** On disk with other bytes than signed. */
  changed: string[];
}

/** A verified model.sig. */
export interface OmsVerification {
  signer: OmsSigner;
  predicate: OmsPredicate;
  /** The statement subject's digest: the model's root digest. */
  rootDigest: string;
}

/**
 * Verifies a model.sig made by the OpenSSF `model_signing` tool against a
 * model folder or single-file model, as that tool does: the signature by
 * the given method, then every file (or shard) against the signed digests,
 * with the recorded serialization. The signature file itself is ignored
 * when it lies inside the model.
 *
 * With `alreadyHashed` (the SHA-256 of files this process hashed moments
 * ago, such as `verifyChain` has), a signature of `files` serialization
 * over SHA-256 reads again only the files not among them; the caller
 * vouches for those digests (see `serializeModel`).
 *
 * @throws InteropError `OMS_MODEL_MISMATCH` (with `.mismatch` naming the
 *   extra, missing and changed files), `OMS_SIGNATURE_INVALID`,
 *   `OMS_CHAIN_INVALID`, `OMS_IDENTITY_MISMATCH`, `OMS_MALFORMED`,
 *   `OMS_UNSUPPORTED`; DigestError when the model cannot be read.
 */
export async function verifyModelSignature(
  modelPath: string,
  signaturePath: string,
  method: OmsMethod,
  alreadyHashed?: readonly HashedFile[],
): Promise<OmsVerification> {
  const bundle = readOmsBundle(await readFile(signaturePath));
  const { payload, signer } = await verifyOmsSignature(bundle, method);
  const statement = parseStatement(payload);
  const predicate = readOmsPredicate(statement);
  const model = await serializeModel(modelPath, {
    serialization: predicate.method,
    hash: predicate.hashType as HashAlgorithm,
    allowSymlinks: predicate.allowSymlinks,
    ignore: [
      ...predicate.ignorePaths,
      ...insideModel(modelPath, signaturePath),
    ],
    allowEmpty: true,
    ...(predicate.shardSize ? { shardSize: predicate.shardSize } : {}),
    ...(alreadyHashed !== undefined && { alreadyHashed }),
  });
  const mismatch = compare(predicate, model.resources);
  if (mismatch) {
    throw Object.assign(
      new InteropError('OMS_MODEL_MISMATCH', describe(mismatch)),
      { mismatch },
    );
  }
  const rootDigest = combineDigests(predicate.resources.map((r) => r.digest));
  const subject = statement.subject[0]?.digest ?? {};
  if (!digestsMatch(subject, sha256Set(rootDigest))) {
    throw new InteropError(
      'OMS_MALFORMED',
      'the subject digest is not the digest of the resources',
    );
  }
  return { signer, predicate, rootDigest };
}

function compare(
  predicate: OmsPredicate,
  resources: readonly Resource[],
): OmsMismatch | undefined {
  const signed = new Map(predicate.resources.map((r) => [r.name, r.digest]));
  // Both sides are of the recorded hash (sha256 or blake2b, both strong).
  const same = (a: string, b: string) =>
    digestsMatch({ [predicate.hashType]: a }, { [predicate.hashType]: b });
  const extra = new Set<string>();
  const changed = new Set<string>();
  for (const r of resources) {
    const want = signed.get(r.name);
    if (want === undefined) extra.add(r.path);
    else if (!same(want, r.digest)) changed.add(r.path);
    signed.delete(r.name);
  }
  // A shard's name is path:start:end; report the file once.
  const missing = new Set(
    [...signed.keys()].map((n) => n.replace(/:\d+:\d+$/, '')),
  );
  if (extra.size + missing.size + changed.size === 0) return undefined;
  return { extra: [...extra], missing: [...missing], changed: [...changed] };
}

function describe(m: OmsMismatch): string {
  const parts = [
    m.changed.length > 0 && `changed: ${m.changed.join(', ')}`,
    m.missing.length > 0 && `missing: ${m.missing.join(', ')}`,
    m.extra.length > 0 && `extra: ${m.extra.join(', ')}`,
  ].filter(Boolean);
  return `the model differs from what was signed (${parts.join('; ')})`;
}
