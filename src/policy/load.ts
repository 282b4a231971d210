import { dirname, resolve } from 'node:path';

import { PolicyError } from '../errors.js';
import { readFileBounded } from '../io/bounded-read.js';
import {
  parsePolicyDocument,
  validatePolicy,
  MAX_POLICY_BYTES,
  type Policy,
} from './policy.js';

/** A PEM public key is a few hundred bytes; more is not a key. */
const MAX_KEY_BYTES = 64 * 1024;

/**
 * Reads a policy file and the key files its `key:` rules name, each
 * relative to the policy file's folder, and validates it.
 *
 * @param path - the policy file (YAML or JSON).
 * @returns the validated policy; key rules hold the keys' PEM and ids.
 * @throws PolicyError `POLICY_UNREADABLE` when the policy or a key file
 *   cannot be read, `POLICY_NOT_PARSEABLE` or `POLICY_INVALID` (a key file
 *   that is not an ECDSA P-256, P-384 or Ed25519 public key included).
 * @example
 * ```ts
 * const policy = await loadPolicy('policy.yaml'); // keys/*.pub beside it
 * ```
 */
export async function loadPolicy(path: string): Promise<Policy> {
  return resolvePolicy(await readBounded(path, 'policy'), dirname(path));
}

/**
 * Parses a policy's text, reads the key files its `key:` rules name
 * relative to `base` (the policy file's folder), and validates it.
 *
 * @throws PolicyError as {@link loadPolicy} does.
 */
export async function resolvePolicy(
  text: string,
  base: string,
): Promise<Policy> {
  const doc = parsePolicyDocument(text);
  const keyFiles = new Map<string, string>();
  for (const rel of keyPaths(doc)) {
    if (keyFiles.has(rel)) continue;
    keyFiles.set(rel, await readBounded(resolve(base, rel), 'key file', rel));
  }
  return validatePolicy(doc, { keyFiles });
}

async function readBounded(
  path: string,
  what: string,
  shown = path,
): Promise<string> {
  const limit = what === 'policy' ? MAX_POLICY_BYTES : MAX_KEY_BYTES;
  // A policy or key file may be a link or a pipe (`--policy <(...)`): read,
  // but never past the limit, so a device that never ends is refused. A
  // FIFO with no writer waits for one, as any reader of it would.
  const read = await readFileBounded(path, limit, {
    followLink: true,
    allowSpecial: true,
  });
  if (read.ok) return read.bytes.toString('utf8');
  if (read.problem === 'too-large') {
    throw new PolicyError(
      'POLICY_INVALID',
      `${what} ${shown}: expected at most ${limit} bytes, found more`,
    );
  }
  throw new PolicyError('POLICY_UNREADABLE', `cannot read ${what} ${shown}`, {
    cause: read.problem === 'not-file' ? undefined : read.cause,
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The `key` strings of the document's signer rules. The document is not
 * validated yet: anything out of shape is skipped here and refused later.
 */
function keyPaths(doc: unknown): string[] {
  if (!isRecord(doc) || !isRecord(doc.steps)) return [];
  const paths: string[] = [];
  for (const rule of Object.values(doc.steps)) {
    if (!isRecord(rule) || !Array.isArray(rule.signers)) continue;
    for (const signer of rule.signers as unknown[]) {
      if (isRecord(signer) && typeof signer.key === 'string' && signer.key) {
        paths.push(signer.key);
      }
    }
  }
  return paths;
}
