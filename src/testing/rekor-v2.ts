import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

import { HashAlgorithm, TransparencyLogEntry } from '@sigstore/protobuf-specs';
import {
  CreateEntryRequest,
  Entry,
  type DSSERequestV002,
  type Verifier,
} from '@sigstore/protobuf-specs/rekor/v2';
import type { TLog } from '@sigstore/mock/dist/rekor/tlog.js';

import { fail, json, parseJson, type RouteResult } from './http.js';
import { allVerify, pae, verifierKey } from './verify-sig.js';

function readRequest(body: string): DSSERequestV002 | undefined {
  try {
    const request = CreateEntryRequest.fromJSON(parseJson(body));
    const spec = request.spec;
    return spec?.$case === 'dsseRequestV002' ? spec.dsseRequestV002 : undefined;
  } catch {
    return undefined;
  }
}

function keyOf(verifier: Verifier | undefined): KeyObject | undefined {
  const v = verifier?.verifier;
  if (v?.$case === 'x509Certificate') {
    return verifierKey(v.x509Certificate.rawBytes);
  }
  if (v?.$case !== 'publicKey') return undefined;
  try {
    return createPublicKey({
      key: v.publicKey.rawBytes,
      format: 'der',
      type: 'spki',
    });
  } catch {
    return undefined;
  }
}

/** The entry as Rekor v2 stores it: payload hash and signatures only. */
function canonicalEntry(request: DSSERequestV002): Entry | undefined {
  const { envelope, verifiers } = request;
  if (!envelope || envelope.signatures.length === 0) return undefined;
  if (verifiers.length !== 1) return undefined;
  const [verifier] = verifiers;
  const key = keyOf(verifier);
  const sigs = envelope.signatures.map((s) => s.sig);
  if (
    !key ||
    !allVerify(key, pae(envelope.payloadType, envelope.payload), sigs)
  ) {
    return undefined;
  }
  const digest = createHash('sha256').update(envelope.payload).digest();
  const dsseV002 = {
    payloadHash: { algorithm: HashAlgorithm.SHA2_256, digest },
    signatures: sigs.map((content) => ({ content, verifier })),
  };
  return {
    kind: 'dsse',
    apiVersion: '0.0.2',
    spec: { spec: { $case: 'dsseV002', dsseV002 } },
  };
}

/**
 * Rekor v2 `POST /api/v2/log/entries` for `dsse` 0.0.2 requests. Like real
 * Rekor v2, it checks the signatures and logs the canonical entry (payload
 * hash, signatures with their verifier), not the request. The mock's log
 * proves inclusion at index 0 of a one-leaf tree but reports a random
 * index, and decodes its hex root hash as base64; the entry and its proof
 * are set to index 0 and the proof's root hash to the one-leaf tree's
 * (the leaf hash), so that they agree with the checkpoint.
 */
export function rekorV2Route(
  tlog: TLog,
): (body: string) => Promise<RouteResult> {
  return async (body) => {
    const request = readRequest(body);
    if (!request) return fail(400, 'expected a dsse 0.0.2 create request');
    const entry = canonicalEntry(request);
    if (!entry) return fail(400, 'envelope signature does not verify');
    // logV2 canonicalizes the object it is given into the entry's body.
    const logged = await tlog.logV2(Entry.toJSON(entry) as CreateEntryRequest);
    const proof = logged.inclusionProof;
    const rootHash = createHash('sha256')
      .update(Buffer.from([0]))
      .update(logged.canonicalizedBody)
      .digest();
    const fixed = {
      ...logged,
      logIndex: '0',
      ...(proof && { inclusionProof: { ...proof, logIndex: '0', rootHash } }),
    };
    return json(201, TransparencyLogEntry.toJSON(fixed));
  };
}
