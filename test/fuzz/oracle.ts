/**
 * The mutation suite's oracle: whether a mutated model changed what was
 * signed (or the files), in which case verification must say no. It reads
 * bundles independently of the product, byte-exact on what signatures and
 * logs cover, and ignores what nothing signs (media type, key ids, key
 * order, unknown fields). Dropping a redundant piece of evidence (a second
 * signed time, an inclusion proof beside a promise) is no change either:
 * the verifier may accept what still meets its thresholds.
 */
import {
  RFC3161Timestamp,
  X509Certificate,
  type ASN1Obj,
} from '@sigstore/core';

import type { Chain, FileMap } from './corpus.js';

/** What a bundle commits to, normalized; `invalid` when it is not JSON. */
export interface BundleView {
  invalid?: string;
  /** The certificate and timestamp bytes as stored, whole. */
  der: string;
  /** Some base64 or number is read leniently (outside the formats). */
  loose?: boolean;
  /** Payload, payload type, signatures, signing key: must be identical. */
  core: string;
  /** Log entries: the entry itself, and its promise and proof apart. */
  tlog: { base: string; promise: string | null; proof: string | null }[];
  /** RFC 3161 timestamps. */
  tsa: string[];
}

type Any = Record<string, unknown> | undefined;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const obj = (v: unknown): Any =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;

const STRICT_B64 = [
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/,
  /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}(?:==)?|[A-Za-z0-9_-]{3}=?)?$/,
];
/** Set by {@link viewOf}: something was read leniently (see `loose`). */
let loose = false;

/** Bytes as a decoder of proto3 JSON (Node's `Buffer`) reads base64. */
function b64(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v !== 'string') return `<${JSON.stringify(v)}>`;
  if (!STRICT_B64.some((re) => re.test(v))) loose = true;
  return Buffer.from(v, 'base64').toString('hex');
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * What a certificate's issuer signed (the TBSCertificate) and the signature:
 * the outer algorithm field and the DER framing around them are signed by
 * nothing (the verifier may refuse them altered, or read them leniently).
 */
function certificate(v: unknown): string {
  const raw = b64(v);
  try {
    const cert = X509Certificate.parse(Buffer.from(raw, 'hex'));
    return `${hex(cert.tbsCertificate.toDER())}:${hex(cert.signatureValue)}`;
  } catch {
    return `raw:${raw}`;
  }
}

/** What a timestamp authority signed: TSTInfo, signed attributes, signature. */
function timestamp(v: unknown): string {
  const raw = b64(v);
  try {
    const t = RFC3161Timestamp.parse(Buffer.from(raw, 'hex'));
    const attrs = (t as unknown as { signedAttrsObj: ASN1Obj }).signedAttrsObj;
    return [t.tstInfo.raw, attrs.toDER(), t.signatureValue].map(hex).join(':');
  } catch {
    return `raw:${raw}`;
  }
}

/**
 * An int64 as the verifier's proto3 JSON reader takes it: absent and
 * `null` are 0 (proto3 JSON), a decimal string or a number is its value,
 * and anything else is first turned into a string (`[]` becomes `""`,
 * which reads as 0: lenient, and flagged so).
 */
function int(v: unknown): string {
  if (v === undefined || v === null) return '0';
  if (typeof v === 'number') {
    return Number.isSafeInteger(v) ? String(v) : `<${v}>`;
  }
  if (typeof v !== 'string') loose = true;
  const text = typeof v === 'string' ? v : Array.isArray(v) ? v.join() : '?';
  if (text === '') return '0';
  return /^-?\d+$/.test(text) ? BigInt(text).toString() : `<${text}>`;
}

const str = (v: unknown): string =>
  v === undefined ? '' : typeof v === 'string' ? v : `<${JSON.stringify(v)}>`;

/**
 * A checkpoint as its verifier reads it: the signed note and the signature
 * lines. Text after them is signed by nothing and read by nothing.
 */
function checkpoint(v: unknown): string {
  if (typeof v !== 'string') return str(v);
  const split = v.indexOf('\n\n');
  if (split < 0) return `<no separator>${v}`;
  const lines = v.slice(split + 2).match(/\u2014 (\S+) (\S+)\n/g) ?? [];
  return JSON.stringify([v.slice(0, split + 1), lines]);
}

const list = (v: unknown): unknown[] | undefined =>
  Array.isArray(v) ? v : undefined;

function tlogOf(e: unknown): BundleView['tlog'][number] {
  const entry = obj(e);
  const promise = obj(entry?.inclusionPromise);
  const proof = obj(entry?.inclusionProof);
  const base = JSON.stringify([
    int(entry?.logIndex),
    b64(obj(entry?.logId)?.keyId),
    str(obj(entry?.kindVersion)?.kind),
    str(obj(entry?.kindVersion)?.version),
    int(entry?.integratedTime),
    b64(entry?.canonicalizedBody),
    entry === undefined ? '<not an object>' : '',
  ]);
  return {
    base,
    promise:
      entry?.inclusionPromise === undefined
        ? null
        : b64(promise?.signedEntryTimestamp),
    proof:
      entry?.inclusionProof === undefined
        ? null
        : // rootHash and treeSize only repeat what the signed checkpoint
          // says, so the oracle leaves them out: refusing a mismatch (as
          // src/verify/strict-bundle.ts now does) is allowed, not required.
          JSON.stringify([
            int(proof?.logIndex),
            proof?.hashes === undefined
              ? []
              : (list(proof.hashes)?.map(b64) ?? '<not a list>'),
            checkpoint(obj(proof?.checkpoint)?.envelope),
          ]),
  };
}

/** Reads a stored bundle the way the oracle compares it. */
export function viewOf(bytes: Buffer): BundleView {
  loose = false;
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch {
    return { invalid: 'not UTF-8 JSON', core: '', tlog: [], tsa: [], der: '' };
  }
  const root = obj(json);
  const env = obj(root?.dsseEnvelope);
  const vm = obj(root?.verificationMaterial);
  const chain = list(obj(vm?.x509CertificateChain)?.certificates);
  const core = JSON.stringify([
    root === undefined ? '<not an object>' : '',
    b64(env?.payload),
    str(env?.payloadType),
    list(env?.signatures)?.map((s) => b64(obj(s)?.sig)) ?? '<no list>',
    certificate(obj(vm?.certificate)?.rawBytes),
    chain?.map((c) => certificate(obj(c)?.rawBytes)) ?? null,
    vm?.publicKey === undefined ? null : JSON.stringify(vm.publicKey),
  ]);
  const tlog = list(vm?.tlogEntries)?.map(tlogOf) ?? [];
  const stamps = list(obj(vm?.timestampVerificationData)?.rfc3161Timestamps);
  const tsa = stamps?.map((t) => timestamp(obj(t)?.signedTimestamp)) ?? [];
  const der = JSON.stringify([
    b64(obj(vm?.certificate)?.rawBytes),
    stamps?.map((t) => b64(obj(t)?.signedTimestamp)),
  ]);
  return { core, tlog, tsa, loose, der };
}

const viewCache = new WeakMap<Buffer, BundleView>();
/** The view of a corpus entry, computed once. */
function cachedView(bytes: Buffer): BundleView {
  let v = viewCache.get(bytes);
  if (v === undefined) viewCache.set(bytes, (v = viewOf(bytes)));
  return v;
}

/** Whether `v` commits to what `original` does, with at most less evidence. */
function within(v: BundleView, original: BundleView): boolean {
  if (v.invalid !== undefined || v.core !== original.core) return false;
  const tlogOk = v.tlog.every((t) =>
    original.tlog.some(
      (o) =>
        t.base === o.base &&
        (t.promise === null || t.promise === o.promise) &&
        (t.proof === null || t.proof === o.proof),
    ),
  );
  return tlogOk && v.tsa.every((t) => original.tsa.includes(t));
}

/** The mutated model that verification is asked about. */
export interface Mutated {
  entries: Buffer[];
  /** Absent: the chain's own files, unchanged. */
  files?: FileMap | undefined;
}

/** The oracle's verdict: `mustReject` reasons, or none. */
export interface Judgement {
  mustReject: string[];
  /** Some entry's base64 or numbers are read only leniently. */
  loose: boolean;
  /** Some certificate or timestamp changed outside what is signed. */
  reframed: boolean;
}

/** Paths that hashing ignores: the store and git's metadata. */
export const ignoredPath = (p: string): boolean =>
  /^(\.mprov|\.git)(\/|$)/.test(p);

function filesChanged(a: FileMap, b: FileMap): boolean {
  const kept = [...b.keys()].filter((k) => !ignoredPath(k));
  if (kept.length !== a.size) return true;
  return kept.some((k) => !a.get(k)?.equals(b.get(k)!));
}

/**
 * Judges a mutation of `target`: it must be rejected when a file changed,
 * an entry is not a bundle of the corpus (altered, forged or garbage), or
 * an entry of the target chain is gone or altered.
 */
export function judge(
  target: Chain,
  all: readonly Chain[],
  mutated: Mutated,
): Judgement {
  const mustReject: string[] = [];
  if (mutated.files && filesChanged(target.files, mutated.files)) {
    mustReject.push('files changed');
  }
  const known = all.flatMap((c) => c.entries.map(cachedView));
  const views = mutated.entries.map(viewOf);
  let reframed = false;
  for (const v of views) {
    const match = known.find((k) => within(v, k));
    if (v.invalid !== undefined) mustReject.push(`entry ${v.invalid}`);
    else if (match === undefined) {
      mustReject.push('an entry commits to content no valid bundle has');
    } else if (match.der !== v.der && match.tsa.length === v.tsa.length) {
      reframed = true;
    }
  }
  for (const original of target.entries.map(cachedView)) {
    if (!views.some((v) => within(v, original))) {
      mustReject.push('an attestation of the chain is gone or altered');
    }
  }
  const loose = views.some((v) => v.loose === true);
  return { mustReject, loose, reframed };
}
