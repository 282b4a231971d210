import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import canonicalizeModule from 'canonicalize';

import { sha256Hex } from '../crypto/hash.js';
import { VerifyError } from '../errors.js';

// The package's types declare `export default`, but its CommonJS module
// exports the function itself, which is what an ESM default import yields.
const canonicalize = canonicalizeModule as unknown as (
  input: unknown,
) => string | undefined;

const trustMaterials = new WeakMap<TrustedRootHandle, TrustMaterial>();

/**
 * A loaded Sigstore trusted root. Opaque: pass it to
 * {@link verifyAttestation}; `digest` names the root in reports.
 */
export interface TrustedRootHandle {
  /** `sha256:<hex>` of the root's RFC 8785 canonical JSON. */
  readonly digest: string;
}

function invalid(message: string, cause?: unknown): VerifyError {
  return new VerifyError('VERIFY_TRUSTED_ROOT_INVALID', message, { cause });
}

function parse(json: unknown): TrustedRoot {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalid('expected the trusted root to be a JSON object');
  }
  let root: TrustedRoot;
  try {
    root = TrustedRoot.fromJSON(json);
  } catch (error) {
    throw invalid('trusted root does not parse', error);
  }
  // fromJSON fills absent lists with []; a root without these trusts nothing.
  if (root.certificateAuthorities.length === 0 || root.tlogs.length === 0) {
    throw invalid(
      'expected at least one certificate authority and one transparency log',
    );
  }
  return root;
}

/** `sha256:<hex>` of the RFC 8785 form, so key order does not matter. */
function digestOf(json: unknown): string {
  let canonical: string | undefined;
  try {
    canonical = canonicalize(json);
  } catch (error) {
    throw invalid('trusted root is not plain JSON', error);
  }
  if (canonical === undefined) throw invalid('trusted root is not JSON');
  // Portable SHA-256: this module is part of the browser core (src/core).
  return `sha256:${sha256Hex(canonical)}`;
}

/**
 * Loads a `trusted_root.json` (already parsed from JSON): certificate
 * authorities, transparency logs, CT logs and timestamp authorities.
 *
 * @throws VerifyError `VERIFY_TRUSTED_ROOT_INVALID` when it is not a trusted
 *   root, trusts no CA or log, or holds a key or certificate that does not
 *   parse.
 * @example
 * ```ts
 * const root = loadTrustedRoot(JSON.parse(await readFile(path, 'utf8')));
 * ```
 */
export function loadTrustedRoot(json: unknown): TrustedRootHandle {
  const root = parse(json);
  let material: TrustMaterial;
  try {
    material = toTrustMaterial(root);
  } catch (error) {
    throw invalid(
      'trusted root holds a key or certificate that does not parse',
      error,
    );
  }
  const handle: TrustedRootHandle = Object.freeze({ digest: digestOf(json) });
  trustMaterials.set(handle, material);
  return handle;
}

/**
 * The trust material behind a handle made by {@link loadTrustedRoot}.
 *
 * @throws VerifyError `VERIFY_TRUSTED_ROOT_INVALID` for any other object.
 */
export function trustMaterialOf(handle: TrustedRootHandle): TrustMaterial {
  const material = trustMaterials.get(handle);
  if (!material) {
    throw invalid('expected a trusted root made by loadTrustedRoot');
  }
  return material;
}
