import { createHash } from 'node:crypto';

import {
  HashAlgorithm,
  PublicKeyDetails,
  TrustedRoot,
  type CertificateAuthority,
  type TransparencyLogInstance,
} from '@sigstore/protobuf-specs';

const OPERATOR = 'model-provenance stand-in';
const MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';

/** The public material of one stand-in run. */
export interface StandInKeys {
  /** The server's base URL; also the logs' base URL and checkpoint origin. */
  url: string;
  /** Fulcio root certificate, DER. */
  caRoot: Buffer;
  /** Rekor and CT log public keys, SPKI DER (ECDSA P-256). */
  rekorKey: Buffer;
  ctKey: Buffer;
  /** TSA chain, DER, leaf-most first. */
  tsaChain: Buffer[];
  /** Start of validity for every authority. */
  validFrom: Date;
}

function logInstance(
  baseUrl: string,
  spki: Buffer,
  start: Date,
): TransparencyLogInstance {
  return {
    baseUrl,
    hashAlgorithm: HashAlgorithm.SHA2_256,
    publicKey: {
      rawBytes: spki,
      keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
      validFor: { start },
    },
    logId: { keyId: createHash('sha256').update(spki).digest() },
    checkpointKeyId: undefined,
    operator: OPERATOR,
  };
}

function authority(
  uri: string,
  commonName: string,
  chain: Buffer[],
  start: Date,
): CertificateAuthority {
  return {
    subject: { organization: OPERATOR, commonName },
    uri,
    certChain: { certificates: chain.map((rawBytes) => ({ rawBytes })) },
    validFor: { start },
    operator: OPERATOR,
  };
}

/** Builds the `trusted_root.json` content for one stand-in run. */
export function buildTrustedRoot(keys: StandInKeys): unknown {
  const { url, validFrom } = keys;
  const root: TrustedRoot = {
    mediaType: MEDIA_TYPE,
    tlogs: [logInstance(url, keys.rekorKey, validFrom)],
    ctlogs: [logInstance(url, keys.ctKey, validFrom)],
    certificateAuthorities: [
      authority(url, 'stand-in fulcio', [keys.caRoot], validFrom),
    ],
    timestampAuthorities: [
      authority(url, 'stand-in tsa', keys.tsaChain, validFrom),
    ],
  };
  return TrustedRoot.toJSON(root);
}
