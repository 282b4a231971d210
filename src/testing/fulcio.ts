import { createPublicKey, verify, type KeyObject } from 'node:crypto';

import type { StandInCA } from './ca.js';
import { fail, isRecord, json, parseJson, type RouteResult } from './http.js';
import { looksLikeUri, type OidcIssuer } from './oidc.js';

interface CertRequest {
  token: string;
  publicKey: KeyObject;
  proof: Buffer;
}

function readRequest(body: unknown): CertRequest | undefined {
  if (!isRecord(body) || !isRecord(body.credentials)) return undefined;
  const token = body.credentials.oidcIdentityToken;
  const req = body.publicKeyRequest;
  if (typeof token !== 'string' || !isRecord(req)) return undefined;
  const key = req.publicKey;
  if (!isRecord(key) || typeof key.content !== 'string') return undefined;
  if (typeof req.proofOfPossession !== 'string') return undefined;
  try {
    const publicKey = createPublicKey(key.content);
    const proof = Buffer.from(req.proofOfPossession, 'base64');
    return { token, publicKey, proof };
  } catch {
    return undefined;
  }
}

/** The identity Fulcio certifies: a verified e-mail, else the subject. */
function identityOf(claims: Record<string, unknown>): string | undefined {
  if (typeof claims.email === 'string') {
    return claims.email_verified === true ? claims.email : undefined;
  }
  return typeof claims.sub === 'string' ? claims.sub : undefined;
}

function pemChain(certs: Buffer[]): string[] {
  return certs.map((der) => {
    const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
    return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
  });
}

/**
 * Fulcio `POST /api/v2/signingCert`: checks the identity token (signature,
 * audience, issuer) and the proof of possession (the subject signed with the
 * requested key), then issues a leaf with a URI SAN when the identity is a
 * URI, an e-mail SAN otherwise. Error messages never echo the token.
 */
export function fulcioRoute(
  ca: StandInCA,
  oidc: OidcIssuer,
): (body: string) => Promise<RouteResult> {
  return async (body) => {
    const req = readRequest(parseJson(body));
    if (!req) return fail(400, 'expected a public key signing request');
    let claims: Record<string, unknown>;
    try {
      claims = await oidc.verify(req.token);
    } catch {
      return fail(401, 'identity token refused');
    }
    const identity = identityOf(claims);
    const issuer = claims.iss;
    if (identity === undefined || typeof issuer !== 'string') {
      return fail(400, 'identity token names no verified subject');
    }
    if (!verify('sha256', Buffer.from(identity), req.publicKey, req.proof)) {
      return fail(400, 'proof of possession does not verify');
    }
    const leaf = await ca.issue({
      publicKey: req.publicKey.export({ format: 'der', type: 'spki' }),
      identity,
      uri: looksLikeUri(identity),
      issuer,
    });
    const certificates = pemChain([leaf, ca.rootCertificate]);
    return json(201, {
      signedCertificateEmbeddedSct: { chain: { certificates } },
    });
  };
}
