import { Certificate } from '@peculiar/asn1-x509';
import { ASN1Obj } from '@sigstore/core';

import { strictDer } from './der.js';

/**
 * Refuses bytes that are not one strict DER X.509 certificate: every length
 * minimal and definite, nothing after the certificate, each field of the
 * X.509 type its place requires, the whole the distinguished encoding of
 * what was read, and the outer signature algorithm equal to the one inside
 * the signed part (RFC 5280, 4.1.1.2). Portable: no OpenSSL is needed.
 *
 * It checks form only; Sigstore checks the signature and the chain.
 *
 * @throws Error saying what is wrong; callers wrap it in their own code.
 */
export function checkDerCertificate(der: Buffer<ArrayBuffer>): void {
  // @sigstore/core's reader refuses long-form lengths inside the opaque
  // parts (parameters, attribute values) that the schema keeps as raw bytes.
  ASN1Obj.parseBuffer(der);
  const cert = strictDer(der, Certificate);
  if (!cert.signatureAlgorithm.isEqual(cert.tbsCertificate.signature)) {
    throw new Error('outer signature algorithm differs from the signed one');
  }
}
