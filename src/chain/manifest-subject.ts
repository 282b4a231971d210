import { crypto as sigstoreCrypto } from '@sigstore/core';

import { digestsMatch, sha256Set } from '../statement/digest-match.js';
import { decodeManifest, type StepView } from '../steps/index.js';
import type { Artifact } from '../steps/index.js';
import { finding, type Finding, type SignerRef } from './findings.js';

/**
 * Where the chain loader finds the manifests that statements name in place
 * of file lists, by SHA-256 (a `ManifestStore` is one). It returns the bytes
 * stored under that digest, unchecked, or `undefined` when there are none.
 */
export interface ManifestSource {
  read(sha256: string): Promise<Uint8Array | undefined>;
}

/** The attestation a manifest belongs to, for findings. */
export interface ManifestOwner {
  attestation: string;
  signer: SignerRef;
}

/**
 * Part of step 3 of chain verification: replaces the manifests a verified
 * statement names with the files they list, so that steps 5 to 9 see every
 * step's files alike. Each manifest is read by its signed digest, its
 * bytes hashed and compared before they are parsed, then parsed strictly.
 *
 * @returns The step with its manifests expanded, or the finding that stops it:
 *   `MANIFEST_MISSING`, `MANIFEST_DIGEST_MISMATCH` or `MANIFEST_MALFORMED`.
 */
export async function expandManifests(
  step: StepView,
  source: ManifestSource | undefined,
  owner: ManifestOwner,
): Promise<{ step: StepView } | { finding: Finding }> {
  const { outputsManifest, inputManifests } = step;
  if (outputsManifest === undefined && inputManifests === undefined) {
    return { step };
  }
  const where = { ...owner, step: step.kind };
  let outputs = step.outputs;
  if (outputsManifest !== undefined) {
    const files = await resolve(outputsManifest.sha256, source, where);
    if (!Array.isArray(files)) return { finding: files };
    outputs = files;
  }
  const inputs = [...step.inputs];
  for (const m of inputManifests ?? []) {
    const files = await resolve(m.sha256, source, where);
    if (!Array.isArray(files)) return { finding: files };
    const role = m.role === undefined ? {} : { role: m.role };
    inputs.push(...files.map((f) => ({ ...f, ...role })));
  }
  return { step: { ...step, outputs, inputs } };
}

/**
 * A source that reads each digest once, however many attestations name
 * it: a chain's steps share manifests.
 */
export function cachedManifestSource(source: ManifestSource): ManifestSource {
  const seen = new Map<string, Promise<Uint8Array | undefined>>();
  return {
    read(sha256) {
      let bytes = seen.get(sha256);
      if (bytes === undefined) {
        bytes = source.read(sha256);
        seen.set(sha256, bytes);
      }
      return bytes;
    },
  };
}

async function resolve(
  sha256: string,
  source: ManifestSource | undefined,
  where: ManifestOwner & { step: string },
): Promise<Artifact[] | Finding> {
  const file = `manifests/sha256-${sha256}.json`;
  const details = { ...where, file, expected: sha256 };
  let bytes: Uint8Array | undefined;
  try {
    bytes = await source?.read(sha256);
  } catch (error) {
    const message = `manifest sha256:${sha256} cannot be read: ${reason(error)}`;
    return finding('MANIFEST_MALFORMED', message, details);
  }
  if (bytes === undefined) {
    const message =
      `${where.step} names its files by manifest sha256:${sha256}, ` +
      'which the store does not hold';
    return finding('MANIFEST_MISSING', message, details);
  }

  // The digest first: unverified bytes are never parsed.
  // Through @sigstore/core's crypto: OpenSSL under Node for manifests of
  // many megabytes, the portable hash in the browser build (src/core).
  const actual = sigstoreCrypto.digest('sha256', bytes).toString('hex');
  if (!digestsMatch(sha256Set(sha256), sha256Set(actual))) {
    const message = `manifest stored as sha256:${sha256} hashes to sha256:${actual}`;
    return finding('MANIFEST_DIGEST_MISMATCH', message, { ...details, actual });
  }
  try {
    return decodeManifest(bytes);
  } catch (error) {
    const message = `manifest sha256:${sha256} is malformed: ${reason(error)}`;
    return finding('MANIFEST_MALFORMED', message, details);
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : 'unknown error';
}
