// tsyringe, used inside @peculiar/x509, needs the Reflect metadata polyfill
// loaded first.
import 'reflect-metadata';
import { randomBytes, webcrypto, type KeyObject } from 'node:crypto';

import * as x509 from '@peculiar/x509';
import type { CTLog } from '@sigstore/mock/dist/fulcio/ctlog.js';

const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA384 = { name: 'ECDSA', hash: 'SHA-384' } as const;
const OID_SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';
const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const ROOT_NAME = 'O=model-provenance stand-in,CN=stand-in fulcio';
const LEAF_LIFETIME_MS = 10 * 60 * 1000;
const ROOT_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** What a leaf certificate says about its holder. */
export interface LeafRequest {
  /** The subject's public key, SPKI DER. */
  publicKey: Uint8Array;
  /** The identity; a URI SAN when `uri` is true, else an e-mail SAN. */
  identity: string;
  uri: boolean;
  /** The OIDC issuer, written to Fulcio's issuer extensions. */
  issuer: string;
}

/** DER tag-length-value for contents shorter than 64 KiB. */
function derTlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 255];
  return Buffer.concat([Buffer.from([tag, ...len]), content]);
}

/**
 * RFC 6962 SignedCertificateTimestampList holding one SCT. The mock CT log
 * returns the SCT already prefixed with its own 16-bit length.
 */
function sctListExtension(sct: ArrayBuffer): x509.Extension {
  const entry = Buffer.from(sct);
  const list = Buffer.concat([u16(entry.length), entry]);
  return new x509.Extension(OID_SCT_LIST, false, derTlv(0x04, list));
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/**
 * A Fulcio-like certificate authority: a self-signed root and leaves with a
 * URI or e-mail SAN, the issuer extensions and an embedded SCT. It is built on
 * `@peculiar/x509` because the CA of `@sigstore/mock` writes URI SANs only.
 */
export class StandInCA {
  private constructor(
    private readonly keys: webcrypto.CryptoKeyPair,
    private readonly root: x509.X509Certificate,
    private readonly ctLog: CTLog,
  ) {}

  /** Creates a root valid from `notBefore` for a day. */
  static async create(ctLog: CTLog, notBefore: Date): Promise<StandInCA> {
    const keys = await webcrypto.subtle.generateKey(ECDSA_P256, true, [
      'sign',
      'verify',
    ]);
    const root = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: '01',
        name: ROOT_NAME,
        notBefore,
        notAfter: new Date(notBefore.getTime() + ROOT_LIFETIME_MS),
        signingAlgorithm: ECDSA_SHA384,
        keys,
        extensions: [
          new x509.BasicConstraintsExtension(true, 1, true),
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
            true,
          ),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        ],
      },
      webcrypto,
    );
    return new StandInCA(keys, root, ctLog);
  }

  /** The root certificate, DER. */
  get rootCertificate(): Buffer {
    return Buffer.from(this.root.rawData);
  }

  /** Issues a leaf certificate (DER) for the request. */
  async issue(req: LeafRequest): Promise<Buffer> {
    const publicKey = await webcrypto.subtle.importKey(
      'spki',
      req.publicKey,
      ECDSA_P256,
      true,
      ['verify'],
    );
    const now = new Date();
    const params: x509.X509CertificateCreateWithKeyParams = {
      serialNumber: randomBytes(16)
        .toString('hex')
        .replace(/^[89a-f]/, '1'),
      issuer: this.root.subject,
      notBefore: now,
      notAfter: new Date(now.getTime() + LEAF_LIFETIME_MS),
      publicKey,
      signingKey: this.keys.privateKey,
      signingAlgorithm: ECDSA_SHA384,
      extensions: await this.leafExtensions(req, publicKey),
    };
    // The SCT covers the certificate without the SCT extension, so sign a
    // pre-certificate first, then the final one with the SCT appended.
    const pre = await x509.X509CertificateGenerator.create(params, webcrypto);
    const sct = await this.ctLog.log(pre.rawData, await this.issuerKeyHash());
    params.extensions?.push(sctListExtension(sct));
    const leaf = await x509.X509CertificateGenerator.create(params, webcrypto);
    return Buffer.from(leaf.rawData);
  }

  private async leafExtensions(
    req: LeafRequest,
    publicKey: webcrypto.CryptoKey,
  ): Promise<x509.Extension[]> {
    const san = { type: req.uri ? 'url' : 'email', value: req.identity };
    const issuerUtf8 = derTlv(0x0c, Buffer.from(req.issuer, 'utf8'));
    return [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
      new x509.SubjectAlternativeNameExtension([san] as x509.JsonGeneralNames),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(this.keys.publicKey),
      new x509.Extension(OID_ISSUER_V1, false, Buffer.from(req.issuer)),
      new x509.Extension(OID_ISSUER_V2, false, issuerUtf8),
    ];
  }

  private async issuerKeyHash(): Promise<ArrayBuffer> {
    const spki = await webcrypto.subtle.exportKey('spki', this.keys.publicKey);
    return webcrypto.subtle.digest('SHA-256', spki);
  }
}

/** Exports a KeyObject's public half as SPKI DER. */
export function spkiDer(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' });
}
