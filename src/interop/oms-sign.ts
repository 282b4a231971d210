import {
  sign as signBytes,
  type KeyObject,
  type X509Certificate,
  createPublicKey,
} from 'node:crypto';

import {
  serializeModel,
  type SerializeOptions,
  type SerializedModel,
} from '../digest/index.js';
import { preAuthEncoding } from '../dsse/index.js';
import type { Signer } from '../signing/index.js';
import { PAYLOAD_TYPE, STATEMENT_TYPE } from '../statement/index.js';
import { insideModel } from './oms-bundle.js';
import { hashFor, keyDetails } from './oms-keys.js';
import { OMS_PREDICATE_V1 } from './oms-predicate.js';

/** How to sign a model.sig: the three methods of model_signing. */
export type OmsSigningMethod =
  | { kind: 'sigstore'; signer: Signer }
  | { kind: 'key'; privateKey: KeyObject }
  /** `chain`: the signing certificate first, then its intermediates. */
  | { kind: 'certificate'; privateKey: KeyObject; chain: X509Certificate[] };

/**
 * The in-toto statement model_signing makes for a serialized model: the
 * model's name and root digest as subject, the serialization and every
 * resource (file or shard) in order as predicate.
 */
export function omsStatement(model: SerializedModel): Record<string, unknown> {
  const s = model.serialization;
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: model.modelName, digest: { sha256: model.rootDigest } }],
    predicateType: OMS_PREDICATE_V1,
    predicate: {
      serialization: {
        method: s.method,
        hash_type: s.hashType,
        allow_symlinks: s.allowSymlinks,
        ...(s.method === 'shards' ? { shard_size: s.shardSize } : {}),
      },
      resources: model.resources.map((r) => ({
        algorithm: r.algorithm,
        digest: r.digest,
        name: r.name,
      })),
    },
  };
}

/**
 * Signs a model folder or file in the OpenSSF Model Signing format, so
 * that `model_signing` (and {@link verifyModelSignature}) accepts it.
 *
 * @param options - serialization; `signaturePath`, when it lies inside the
 *   model, is not hashed (as model_signing never hashes its own output).
 * @returns the bundle to write as model.sig, and the statement signed.
 * @throws DigestError, SigningError, InteropError `OMS_UNSUPPORTED`.
 */
export async function signModel(
  modelPath: string,
  method: OmsSigningMethod,
  options: SerializeOptions & { signaturePath?: string } = {},
): Promise<{ bundle: unknown; statement: Record<string, unknown> }> {
  const { signaturePath, ...serialize } = options;
  const own = signaturePath ? insideModel(modelPath, signaturePath) : [];
  const model = await serializeModel(modelPath, {
    ...serialize,
    ignore: [...(serialize.ignore ?? []), ...own],
  });
  const statement = omsStatement(model);
  const payload = Buffer.from(JSON.stringify(statement, null, 2), 'utf8');
  if (method.kind === 'sigstore') {
    return {
      bundle: await method.signer.signDsse(payload, PAYLOAD_TYPE),
      statement,
    };
  }
  const key = method.privateKey;
  const sig = signBytes(
    hashFor(key),
    preAuthEncoding(PAYLOAD_TYPE, payload),
    key,
  );
  const material =
    method.kind === 'key'
      ? { publicKey: publicKeyMaterial(key) }
      : {
          x509CertificateChain: {
            certificates: method.chain.map((c) => ({
              rawBytes: c.raw.toString('base64'),
            })),
          },
        };
  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: material,
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType: PAYLOAD_TYPE,
      signatures: [{ sig: Buffer.from(sig).toString('base64'), keyid: null }],
    },
  };
  return { bundle, statement };
}

/** The public key as model_signing records it: its PEM, and its kind. */
function publicKeyMaterial(privateKey: KeyObject) {
  const pem = createPublicKey(privateKey).export({
    type: 'spki',
    format: 'pem',
  });
  return {
    rawBytes: Buffer.from(pem).toString('base64'),
    keyDetails: keyDetails(privateKey),
  };
}
