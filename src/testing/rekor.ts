import { createHash } from 'node:crypto';

import { rekorHandler } from '@sigstore/mock/dist/rekor/handler.js';
import type { TLog } from '@sigstore/mock/dist/rekor/tlog.js';

import {
  fail,
  fromMock,
  isRecord,
  parseJson,
  type RouteResult,
} from './http.js';
import { allVerify, pae, verifierKey } from './verify-sig.js';

interface ProposedDsse {
  envelope: string;
  verifier: string;
}

interface ParsedEnvelope {
  payload: Buffer;
  payloadType: string;
  signatures: string[];
}

const sha256 = (data: Uint8Array | string): string =>
  createHash('sha256').update(data).digest('hex');

function readProposal(body: unknown): ProposedDsse | undefined {
  if (!isRecord(body) || body.kind !== 'dsse') return undefined;
  if (body.apiVersion !== '0.0.1' || !isRecord(body.spec)) return undefined;
  const content = body.spec.proposedContent;
  if (!isRecord(content) || typeof content.envelope !== 'string') {
    return undefined;
  }
  const verifiers = content.verifiers;
  if (!Array.isArray(verifiers) || verifiers.length !== 1) return undefined;
  const [verifier] = verifiers as unknown[];
  if (typeof verifier !== 'string') return undefined;
  return { envelope: content.envelope, verifier };
}

function readEnvelope(text: string): ParsedEnvelope | undefined {
  const env = parseJson(text);
  if (!isRecord(env) || typeof env.payload !== 'string') return undefined;
  if (typeof env.payloadType !== 'string') return undefined;
  if (!Array.isArray(env.signatures) || env.signatures.length === 0) {
    return undefined;
  }
  const signatures = (env.signatures as unknown[]).map((s) =>
    isRecord(s) && typeof s.sig === 'string' ? s.sig : undefined,
  );
  if (signatures.some((s) => s === undefined)) return undefined;
  return {
    payload: Buffer.from(env.payload, 'base64'),
    payloadType: env.payloadType,
    signatures: signatures as string[],
  };
}

/**
 * Checks every envelope signature with the verifier's key: a certificate
 * (keyless) or a public key (key-based), given as base64 of its PEM.
 */
function signaturesHold(env: ParsedEnvelope, verifierB64: string): boolean {
  const key = verifierKey(Buffer.from(verifierB64, 'base64'));
  if (!key) return false;
  const sigs = env.signatures.map((sig) => Buffer.from(sig, 'base64'));
  return allVerify(key, pae(env.payloadType, env.payload), sigs);
}

/**
 * Rekor v1 `POST /api/v1/log/entries` for `dsse` 0.0.1 entries. Like real
 * Rekor, it checks the signatures and stores the canonical form (envelope
 * hash, payload hash, signatures with their verifier), not the proposal;
 * the mock's handler alone stores the proposal verbatim, which no verifier
 * accepts.
 */
export function rekorRoute(tlog: TLog): (body: string) => Promise<RouteResult> {
  const handler = rekorHandler(tlog);
  return async (body) => {
    const proposal = readProposal(parseJson(body));
    if (!proposal) return fail(400, 'expected a dsse 0.0.1 proposed entry');
    const env = readEnvelope(proposal.envelope);
    if (!env) return fail(400, 'proposed envelope is not a DSSE envelope');
    if (!signaturesHold(env, proposal.verifier)) {
      return fail(400, 'envelope signature does not verify');
    }
    const canonical = {
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: sha256(proposal.envelope) },
        payloadHash: { algorithm: 'sha256', value: sha256(env.payload) },
        signatures: env.signatures.map((signature) => ({
          signature,
          verifier: proposal.verifier,
        })),
      },
    };
    const result = await handler.fn(JSON.stringify(canonical));
    return fromMock(result);
  };
}
