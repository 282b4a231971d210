import type { Bundle, MessageSignature } from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { toSignedEntity, type SignedEntity } from '@sigstore/verify';

import { VerifyError } from '../errors.js';
import {
  resolveArtifact,
  type ArtifactInput,
  type DigestAlgorithm,
  type ResolvedArtifact,
} from './artifact.js';
import { keyedEntity, keyTrust } from './attestation-key.js';
import { parseBundleText } from './bundle-input.js';
import {
  signedTimes,
  tlogFacts,
  type BundleVerification,
} from './bundle-result.js';
import {
  BytesSignatureContent,
  DigestSignatureContent,
} from './digest-content.js';
import { matchSubject } from './dsse-subjects.js';
import { checkMessageHash, withMessageHashRule } from './message-hash.js';
import { supportsPrehash } from './ecdsa-prehash.js';
import { checkSigner, type BundlePolicy } from './bundle-policy.js';
import { publicGoodRoot } from './public-good.js';
import { loadPublicKey, type VerificationKey } from './public-key.js';
import { runVerifier } from './sigstore-errors.js';
import { trustMaterialOf, type TrustedRootHandle } from './trusted-root.js';

/** What {@link verifyBundle} checks, against what, under which policy. */
export interface VerifyBundleOptions {
  /** The bundle's JSON text; parsed strictly here. */
  bundle: string | Uint8Array;
  /** The artifact: a file, bytes, or `sha256:<hex>` of it. */
  artifact: ArtifactInput;
  /** Who must have signed: a certificate identity, or a public key. */
  policy: BundlePolicy;
  /** Default: the embedded public-good root ({@link publicGoodRoot}). */
  trustedRoot?: TrustedRootHandle;
  /**
   * With a key policy only: accept a bundle signed fully offline, with no
   * log entry and no signed time (`signedAt` is then an invalid Date).
   * Default false: a log entry and a signed time are required.
   */
  allowUnlogged?: boolean;
}

const HASHES = new Map<HashAlgorithm, DigestAlgorithm>([
  [HashAlgorithm.SHA2_256, 'sha256'],
  [HashAlgorithm.SHA2_384, 'sha384'],
  [HashAlgorithm.SHA2_512, 'sha512'],
]);

/** A key policy's key, loaded; undefined for a certificate policy. */
function keyOf(policy: BundlePolicy): VerificationKey | undefined {
  if (!('key' in policy)) return undefined;
  return typeof policy.key === 'string'
    ? loadPublicKey(policy.key)
    : policy.key;
}

/** The bundle must carry the material that the policy can check. */
function checkMaterial(bundle: Bundle, key: VerificationKey | undefined) {
  const hasKey = bundle.verificationMaterial.content.$case === 'publicKey';
  if (hasKey === (key !== undefined)) return;
  throw new VerifyError(
    'VERIFY_MATERIAL_MISMATCH',
    hasKey
      ? 'expected a signing certificate, found a public-key hint: give the key'
      : 'expected a public-key hint, found a signing certificate',
  );
}

/** A message signature's digest must be the artifact's own. */
function checkMessageDigest(
  signature: MessageSignature,
  artifact: ResolvedArtifact,
): void {
  const { algorithm, digest } = signature.messageDigest;
  const name = HASHES.get(algorithm);
  const actual = name === undefined ? undefined : artifact.digests[name];
  if (actual === undefined) {
    throw new VerifyError(
      'VERIFY_ARTIFACT_INVALID',
      `expected the artifact's ${name ?? 'digest'} for this bundle, found only sha256: give the file`,
    );
  }
  const claimed = digest.toString('hex');
  if (claimed !== actual) {
    throw new VerifyError(
      'VERIFY_ARTIFACT_MISMATCH',
      `expected the artifact's ${name} ${claimed}, found ${actual}`,
    );
  }
}

function toEntity(
  bundle: Bundle,
  artifact: ResolvedArtifact,
  key: VerificationKey | undefined,
): SignedEntity {
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(bundle, artifact.bytes);
  } catch (error) {
    throw new VerifyError(
      'VERIFY_BUNDLE_MALFORMED',
      'bundle material does not parse',
      { cause: error },
    );
  }
  const { content } = bundle;
  if (content.$case !== 'messageSignature') {
    // A key-signed envelope: check it with the key's own hash.
    return key ? keyedEntity(entity, content.dsseEnvelope, key) : entity;
  }
  if (artifact.bytes) {
    const signature = new BytesSignatureContent(
      entity.signature,
      artifact.bytes,
    );
    return { ...entity, signature };
  }
  if (key && !supportsPrehash(key.key)) {
    throw new VerifyError(
      'VERIFY_ARTIFACT_INVALID',
      `expected the artifact's bytes for a ${key.type} signature, found only its digest`,
    );
  }
  const digest = Buffer.from(artifact.digests.sha256, 'hex');
  const signature = content.messageSignature.signature;
  return {
    ...entity,
    signature: new DigestSignatureContent(signature, digest),
  };
}

function trustFor(root: TrustedRootHandle, key: VerificationKey | undefined) {
  return key ? keyTrust(root, key) : trustMaterialOf(root);
}

/**
 * Verifies one Sigstore bundle (v0.1 to v0.3; message signature or DSSE;
 * Rekor v1 or v2 entries; log or TSA signed times) against an artifact,
 * offline, in these steps:
 * 1. parse the bundle strictly (known version, one DSSE signature);
 * 2. hash the artifact, or take its `sha256:` digest;
 * 3. require the material the policy checks (certificate or key hint);
 * 4. for a message signature, require its digest to be the artifact's,
 *    made with the hash the algorithm registry pairs with an ECDSA key;
 * 5. verify with `@sigstore/verify`: chain to the trusted root, SCT, log
 *    inclusion, signed time, signature (over the digest when only the
 *    digest is known);
 * 6. match the signer: issuer, identity (exact or anchored pattern) and CI
 *    extensions, or the given key;
 * 7. for DSSE, require the artifact to be a subject of the statement.
 *
 * @returns the facts of the verification, naming the trusted root's digest.
 * @throws VerifyError with the code of the first check that fails.
 * @example
 * ```ts
 * const result = await verifyBundle({
 *   bundle: await readFile('a.txt.sigstore.json'),
 *   artifact: { path: 'a.txt' },
 *   policy: { certificate: { identity: 'me@example.com', issuer } },
 * });
 * ```
 */
export async function verifyBundle(
  options: VerifyBundleOptions,
): Promise<BundleVerification> {
  const root = options.trustedRoot ?? publicGoodRoot();
  const { bundle, version } = parseBundleText(options.bundle);
  const artifact = await resolveArtifact(options.artifact);

  const key = keyOf(options.policy);
  checkMaterial(bundle, key);
  if (bundle.content.$case === 'messageSignature') {
    checkMessageDigest(bundle.content.messageSignature, artifact);
  }
  if (key) checkMessageHash(bundle, key.key);

  const entity = withMessageHashRule(toEntity(bundle, artifact, key), bundle);
  const unlogged = key !== undefined && options.allowUnlogged === true;
  const signer = runVerifier(entity, trustFor(root, key), !!key, unlogged);
  const checked = checkSigner(signer, options.policy, key, bundle);

  const dsse =
    bundle.content.$case === 'dsseEnvelope'
      ? bundle.content.dsseEnvelope
      : undefined;
  const timestamps = signedTimes(entity);
  return {
    verified: true,
    trustedRoot: root.digest,
    bundleVersion: version,
    content: dsse ? 'dsse' : 'message-signature',
    signer: checked,
    signedAt: timestamps[0]?.time ?? new Date(NaN),
    timestamps,
    tlogEntries: tlogFacts(entity),
    artifactSha256: artifact.digests.sha256,
    ...(dsse && {
      subject: matchSubject(dsse.payloadType, dsse.payload, artifact),
      payloadType: dsse.payloadType,
      payload: dsse.payload,
    }),
  };
}
